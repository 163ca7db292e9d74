import Crypto

/// OpenSSH's `bcrypt_pbkdf`: the key-derivation function of encrypted OpenSSH private keys.
enum BcryptPBKDF {
    static func derive(password: [UInt8], salt: [UInt8], rounds: Int, length: Int) -> [UInt8] {
        let hashSize = 32
        let stride = (length + hashSize - 1) / hashSize
        var amount = (length + stride - 1) / stride
        let hashedPassword = Array(SHA512.hash(data: password))
        var key = [UInt8](repeating: 0, count: length)
        var remaining = length
        var count: UInt32 = 1
        while remaining > 0 {
            let countSalt = salt + [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
            var block = hash(password: hashedPassword, salt: Array(SHA512.hash(data: countSalt)))
            var output = block
            for _ in 1..<max(rounds, 1) {
                block = hash(password: hashedPassword, salt: Array(SHA512.hash(data: block)))
                for index in output.indices { output[index] ^= block[index] }
            }
            amount = min(amount, remaining)
            var written = 0
            while written < amount {
                let destination = written * stride + Int(count - 1)
                if destination >= length { break }
                key[destination] = output[written]
                written += 1
            }
            remaining -= written
            count += 1
        }
        return key
    }

    /// bcrypt_hash: an EksBlowfish state keyed by the SHA-512 of password and salt, then used to
    /// encrypt "OxychromaticBlowfishSwatDynamite" 64 times.
    static func hash(password: [UInt8], salt: [UInt8]) -> [UInt8] {
        var cipher = EksBlowfish()
        cipher.expand(key: password, salt: salt)
        for _ in 0..<64 {
            cipher.expand(key: salt, salt: nil)
            cipher.expand(key: password, salt: nil)
        }
        let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)
        var position = 0
        var words = (0..<8).map { _ in EksBlowfish.streamWord(magic, &position) }
        for _ in 0..<64 {
            for block in Swift.stride(from: 0, to: 8, by: 2) {
                var (left, right) = (words[block], words[block + 1])
                cipher.encipher(&left, &right)
                (words[block], words[block + 1]) = (left, right)
            }
        }
        return words.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8 & 0xff), UInt8($0 >> 16 & 0xff), UInt8($0 >> 24)] }
    }
}
