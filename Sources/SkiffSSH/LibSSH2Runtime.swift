import CLibSSH2

/// libssh2's global state. `libssh2_init` must run once, before any thread creates a session;
/// a `static let` initializer runs exactly once and every reader sees it finished.
enum LibSSH2Runtime {
    private static let initialization: Int32 = libssh2_init(0)

    static func ensureInitialized() {
        precondition(initialization == 0, "libssh2_init failed (\(initialization))")
    }
}
