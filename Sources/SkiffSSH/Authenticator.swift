import CLibSSH2
import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Offers credentials to the server until one is accepted: ssh-agent identities, key files, password.
/// When none is, the error lists what was tried and what the server accepts.
struct Authenticator {
    let session: LibSSH2Session
    let user: String
    let credentials: SSHCredentials
    let deadline: Deadline

    private var userLength: UInt32 { UInt32(user.utf8.count) }

    func authenticate() throws {
        let methods = try serverMethods()
        if libssh2_userauth_authenticated(session.raw) == 1 { return }
        var tried: [String] = []
        var hints: [String] = []

        if methods.contains("publickey") {
            if let socket = credentials.agentSocket {
                if try authenticateWithAgent(socket: socket, tried: &tried, hints: &hints) { return }
            }
            for key in credentials.keyFiles {
                if try authenticate(with: key, tried: &tried, hints: &hints) { return }
            }
        }
        if methods.contains("password"), let password = credentials.password {
            if try authenticate(password: password) { return }
            tried.append("password")
        }
        if tried.isEmpty {
            tried.append("nothing (no key file, agent or password was given that the server accepts)")
        }
        var message = "authentication failed for user \(user): tried \(tried.joined(separator: ", ")); "
            + "the server accepts \(methods.sorted().joined(separator: ", "))"
        if !hints.isEmpty { message += ". " + hints.joined(separator: " ") }
        throw SSHError(.authenticationFailed, host: session.host, message)
    }

    private func timeout() -> SSHError {
        SSHError(.unreachable, host: session.host, "authentication timed out")
    }

    /// Asks which methods the server accepts (the "none" request, which may already succeed).
    private func serverMethods() throws -> Set<String> {
        let list = try session.drive(
            deadline,
            until: { $0 == nil && libssh2_session_last_errno(session.raw) == LIBSSH2_ERROR_EAGAIN },
            onTimeout: timeout
        ) { libssh2_userauth_list(session.raw, user, userLength) }
        guard let list else {
            if libssh2_userauth_authenticated(session.raw) == 1 { return [] }
            throw session.error(libssh2_session_last_errno(session.raw), while: "asking for auth methods")
        }
        return Set(String(cString: list).split(separator: ",").map(String.init))
    }

    private func authenticate(with key: PrivateKeyFile, tried: inout [String], hints: inout [String]) throws -> Bool {
        if key.lacksPassphrase {
            tried.append("key \(key.path) (skipped: it is encrypted and no passphrase was given)")
            return false
        }
        let rc: Int32
        if let identity = key.ed25519 {
            rc = try authenticate(with: identity)
        } else {
            rc = try key.contents.revealed.withUnsafeBufferPointer { bytes in
                try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timeout) {
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        libssh2_userauth_publickey_frommemory(
                            session.raw, user, Int(userLength), nil, 0, chars.baseAddress, chars.count,
                            key.passphrase?.revealed)
                    }
                }
            }
        }
        if rc == 0 { return true }
        let type = key.keyType.map { " (\($0))" } ?? ""
        switch rc {
        case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, LIBSSH2_ERROR_METHOD_NOT_SUPPORTED:
            let reason = key.isEncrypted ? "wrong passphrase?" : "unsupported or unreadable key format"
            tried.append("key \(key.path)\(type) which could not be used (\(reason))")
        case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT:
            throw session.error(rc, while: "authenticating")
        default:
            tried.append("key \(key.path)\(type) (rejected)")
            if key.isRSA { hints.append(Self.rsaHint) }
        }
        return false
    }

    /// Public-key authentication where libssh2 builds the request and Skiff signs it.
    private func authenticate(with identity: Ed25519Identity) throws -> Int32 {
        let signer = Signer(identity: identity)
        var abstract: UnsafeMutableRawPointer? = Unmanaged.passUnretained(signer).toOpaque()
        return try withExtendedLifetime(signer) {
            try identity.publicKeyBlob.withUnsafeBufferPointer { blob in
                try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timeout) {
                    libssh2_userauth_publickey(
                        session.raw, user, blob.baseAddress, blob.count, Signer.callback, &abstract)
                }
            }
        }
    }

    /// What libssh2's sign callback reaches through its `abstract` pointer.
    private final class Signer {
        let identity: Ed25519Identity
        init(identity: Ed25519Identity) { self.identity = identity }

        /// Signs the request libssh2 built; the signature goes into a `malloc`ed buffer that libssh2 frees.
        static let callback:
            @convention(c) (
                OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?,
                UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
            ) -> Int32 = { _, signature, signatureLength, data, dataLength, abstract in
                guard let signature, let signatureLength, let data, let pointer = abstract?.pointee else { return -1 }
                let signer = Unmanaged<Signer>.fromOpaque(pointer).takeUnretainedValue()
                guard let bytes = try? signer.identity.signature(for: UnsafeRawBufferPointer(start: data, count: dataLength)),
                    let buffer = malloc(bytes.count)?.assumingMemoryBound(to: UInt8.self)
                else { return -1 }
                buffer.initialize(from: bytes, count: bytes.count)
                signature.pointee = buffer
                signatureLength.pointee = bytes.count
                return 0
            }
    }

    private func authenticate(password: Sensitive<String>) throws -> Bool {
        let secret = password.revealed
        let rc = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timeout) {
            libssh2_userauth_password_ex(
                session.raw, user, userLength, secret, UInt32(secret.utf8.count), nil)
        }
        if rc == 0 { return true }
        if rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV
            || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT
        {
            throw session.error(rc, while: "authenticating")
        }
        return false
    }

    private func authenticateWithAgent(socket: String, tried: inout [String], hints: inout [String]) throws -> Bool {
        guard let agent = libssh2_agent_init(session.raw) else { return false }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0 else {
            tried.append("ssh-agent at \(socket) (cannot connect)")
            return false
        }
        guard libssh2_agent_list_identities(agent) == 0 else {
            tried.append("ssh-agent at \(socket) (cannot list identities)")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var offered = 0
        var offeredRSA = false
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            let next = libssh2_agent_get_identity(agent, &identity, previous)
            guard next == 0, let identity else { break }
            previous = identity
            offered += 1
            let blob = Array(UnsafeBufferPointer(start: identity.pointee.blob, count: Int(identity.pointee.blob_len)))
            if HostKey(blob: blob)?.type == "ssh-rsa" { offeredRSA = true }
            let rc = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timeout) {
                libssh2_agent_userauth(agent, user, identity)
            }
            if rc == 0 { return true }
            if rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV
                || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT
            {
                throw session.error(rc, while: "authenticating")
            }
        }
        tried.append("ssh-agent at \(socket) (\(offered) \(offered == 1 ? "identity" : "identities") rejected)")
        if offeredRSA { hints.append(Self.rsaHint) }
        return false
    }

    static let rsaHint = """
        RSA keys are signed with SHA-1 (ssh-rsa) by libssh2 1.10, which OpenSSH 8.8 and later reject by \
        default; use an ed25519 key instead (ssh-keygen -t ed25519).
        """
}
