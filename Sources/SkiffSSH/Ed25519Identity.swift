import Crypto
import SkiffCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An unencrypted OpenSSH-format ed25519 key, read once per run and signing in process.
///
/// Handing the key file to libssh2 instead costs every host a trip through OpenSSL's PEM decoders
/// (libssh2 tries them before its own OpenSSH parser, and again to derive the public key): about
/// twenty failed decodes and 5,000 string copies per host. Signing here costs one ed25519 signature.
struct Ed25519Identity: Sendable {
    /// The public key as SSH sends it: string "ssh-ed25519", string key.
    let publicKeyBlob: [UInt8]
    private let signingKey: Sensitive<Curve25519.Signing.PrivateKey>

    /// The key in `armored` (`-----BEGIN OPENSSH PRIVATE KEY-----` …), or nil when it is some other
    /// kind, encrypted or malformed; such keys go to libssh2 as they are.
    init?(armored: String) {
        guard armored.contains("BEGIN OPENSSH PRIVATE KEY"), let container = OpenSSHKeyContainer(armored: armored),
            !container.isEncrypted, container.keyCount == 1, let privateSection = container.privateSection
        else { return nil }
        let publicKeyBlob = container.publicKey

        var secret = SSHWireReader(privateSection)
        guard let check = secret.readUInt32(), secret.readUInt32() == check,
            secret.readString() == Array("ssh-ed25519".utf8),
            let publicKey = secret.readString(), publicKey.count == 32,
            let privateKey = secret.readString(), privateKey.count == 64,
            Array(privateKey[32...]) == publicKey,
            let signingKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey[..<32]),
            signingKey.publicKey.rawRepresentation == Data(publicKey)
        else { return nil }

        var header = SSHWireReader(publicKeyBlob)
        guard header.readString() == Array("ssh-ed25519".utf8), header.readString() == publicKey else { return nil }
        self.publicKeyBlob = publicKeyBlob
        self.signingKey = Sensitive(signingKey)
    }

    /// The 64-byte ed25519 signature of `data`.
    func signature(for data: UnsafeRawBufferPointer) throws -> [UInt8] {
        Array(try signingKey.revealed.signature(for: data))
    }
}
