/// How many threads drive SSH connections. Each connection's libssh2 calls run on a worker thread while
/// the connection has work; a run bounds the workers by how many hosts it works on at once, so a
/// thousand-host run with `--forks 20` holds about as many threads as a twenty-host one.
public enum SSHWorkerThreads {
    /// Workers beside the `--forks` connections at work: for connections closing, and keepalives that
    /// find a job waiting, while the forks run their tasks.
    public static let reserve = 4

    /// At most `forks` + `reserve` worker threads from now on (however large `forks` is).
    public static func bound(toConnectionsAtOnce forks: Int) {
        let (sum, overflow) = forks.addingReportingOverflow(reserve)
        SessionWorkers.shared.setLimit(overflow ? Int.max : sum)
    }
}
