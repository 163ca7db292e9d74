import SkiffSSH

/// Prints one entry per host, in the ad-hoc shape ansible prints (`host | STATE | …`), and derives
/// the exit status: 0 all succeeded, 2 a host failed, 4 a host was unreachable (4 wins).
enum HostReport {
    static func exitCode<Value>(
        _ targets: [SSHTarget], _ outcomes: [Result<Value, Error>],
        describe: (SSHTarget, Value) -> (text: String, failed: Bool)
    ) -> Int32 {
        var unreachable = false
        var failed = false
        for (target, outcome) in zip(targets, outcomes) {
            switch outcome {
            case .success(let value):
                let (text, hostFailed) = describe(target, value)
                failed = failed || hostFailed
                Console.out(text)
            case .failure(let error as SSHError) where error.isUnreachable:
                unreachable = true
                Console.out("\(target.name) | UNREACHABLE! => \(error.message)")
            case .failure(let error):
                failed = true
                Console.out("\(target.name) | FAILED! => \(error)")
            }
        }
        return unreachable ? 4 : failed ? 2 : 0
    }
}
