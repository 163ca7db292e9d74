import CLibSSH2

/// Opens an authenticated session: TCP connect, handshake (asking for the host-key type known_hosts
/// holds), host-key check, authentication, then keepalives, all under one connect deadline.
struct SessionOpener {
    let target: SSHTarget
    let options: SSHOptions
    let credentials: SSHCredentials
    let knownHosts: KnownHosts
    let interrupter: Interrupter
    /// The jump host whose channel the session runs over; nil connects over TCP.
    var via: SSHJumpHost? = nil

    func open() throws -> (session: LibSSH2Session, hostKey: HostKey) {
        let host = target.description
        let deadline = Deadline.after(options.connectTimeout)
        let socket =
            try via?.openTunnel(to: target.address, port: target.port, deadline: deadline, host: host)
            ?? SocketConnector.connect(address: target.address, port: target.port, deadline: deadline, host: host)
        let session: LibSSH2Session
        do {
            session = try LibSSH2Session(socket: socket, host: host, interrupter: interrupter)
        } catch {
            close(socket)
            throw error
        }
        let verifier = HostKeyVerifier(
            knownHosts: knownHosts, policy: options.hostKeyPolicy, hostName: target.address, port: target.port,
            displayHost: host)
        preferHostKeyMethods(verifier.preferredMethods(supported: supportedHostKeyMethods(session)), on: session)

        let timeout = {
            SSHError(
                .unreachable, host: host,
                "timed out after \(options.connectTimeout.seconds) s waiting for the SSH handshake (no SSH server answering?)")
        }
        let rc = try session.drive(deadline, until: { $0 == LIBSSH2_ERROR_EAGAIN }, onTimeout: timeout) {
            libssh2_session_handshake(session.raw, libssh2_socket_t(socket))
        }
        if rc != 0 {
            var message = "SSH handshake failed: \(session.lastErrorMessage())"
            let known = knownHosts.keys(for: target.address, port: target.port).map(\.key.type)
            if rc == LIBSSH2_ERROR_KEX_FAILURE && !known.isEmpty {
                message += " (known_hosts holds only \(Set(known).sorted().joined(separator: ", ")) keys for this host)"
            }
            throw SSHError(.unreachable, host: host, message)
        }

        let hostKey = try HostKeyVerifier.presentedKey(of: session.raw, host: host)
        try verifier.verify(hostKey)
        try Authenticator(session: session, user: target.user, credentials: credentials, deadline: deadline)
            .authenticate()
        session.startKeepalive(interval: options.keepaliveInterval, maxMissed: options.keepaliveMaxMissed)
        return (session, hostKey)
    }

    private func supportedHostKeyMethods(_ session: LibSSH2Session) -> [String] {
        var algorithms: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        let count = libssh2_session_supported_algs(session.raw, LIBSSH2_METHOD_HOSTKEY, &algorithms)
        guard count > 0, let algorithms else { return HostKeyVerifier.defaultOrder }
        defer { libssh2_free(session.raw, algorithms) }
        return (0..<Int(count)).compactMap { algorithms[$0].map { String(cString: $0) } }
    }

    private func preferHostKeyMethods(_ methods: [String], on session: LibSSH2Session) {
        guard !methods.isEmpty else { return }
        _ = libssh2_session_method_pref(session.raw, LIBSSH2_METHOD_HOSTKEY, methods.joined(separator: ","))
    }
}
