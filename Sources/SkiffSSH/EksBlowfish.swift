/// Blowfish with the "expensive key schedule" that bcrypt and OpenSSH's `bcrypt_pbkdf` use.
struct EksBlowfish {
    /// P-array (18 words) followed by the four S-boxes (4 × 256 words), initialised from π.
    private var state: [UInt32]

    private static let initialState = PiHexDigits.words(18 + 4 * 256)

    init() {
        state = Self.initialState
    }

    /// Encrypts one 64-bit block held as two big-endian words.
    func encipher(_ left: inout UInt32, _ right: inout UInt32) {
        state.withUnsafeBufferPointer { s in
            var l = left ^ s[0]
            var r = right
            var round = 1
            while round <= 16 {
                r ^= Self.f(s, l) ^ s[round]
                l ^= Self.f(s, r) ^ s[round + 1]
                round += 2
            }
            left = r ^ s[17]
            right = l
        }
    }

    @inline(__always)
    private static func f(_ s: UnsafeBufferPointer<UInt32>, _ x: UInt32) -> UInt32 {
        let a = s[18 + Int(x >> 24)]
        let b = s[18 + 256 + Int(x >> 16 & 0xff)]
        let c = s[18 + 512 + Int(x >> 8 & 0xff)]
        let d = s[18 + 768 + Int(x & 0xff)]
        return ((a &+ b) ^ c) &+ d
    }

    /// The next 4 bytes of `bytes` (cycling) as a big-endian word.
    static func streamWord(_ bytes: [UInt8], _ position: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            if position >= bytes.count { position = 0 }
            word = word << 8 | UInt32(bytes[position])
            position += 1
        }
        return word
    }

    /// Mixes `key` into the P-array, then re-keys the whole state, stirring in `salt` when given.
    mutating func expand(key: [UInt8], salt: [UInt8]?) {
        var position = 0
        for index in 0..<18 { state[index] ^= Self.streamWord(key, &position) }
        var left: UInt32 = 0
        var right: UInt32 = 0
        var saltPosition = 0
        for index in stride(from: 0, to: state.count, by: 2) {
            if let salt {
                left ^= Self.streamWord(salt, &saltPosition)
                right ^= Self.streamWord(salt, &saltPosition)
            }
            encipher(&left, &right)
            state[index] = left
            state[index + 1] = right
        }
    }
}
