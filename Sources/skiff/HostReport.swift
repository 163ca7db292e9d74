import SkiffRunner

/// Prints one entry per host, in the ad-hoc shape ansible prints (`host | STATE | …`), and derives
/// the exit status: 0 all succeeded, 2 a host failed, 4 a host was unreachable (4 wins).
enum HostReport {
    static func exitCode<Value>(
        _ names: [String], _ outcomes: [Result<Value, Error>],
        describe: (String, Value) -> (text: String, failed: Bool)
    ) -> Int32 {
        var unreachable = false
        var failed = false
        for (name, outcome) in zip(names, outcomes) {
            switch outcome {
            case .success(let value):
                let (text, hostFailed) = describe(name, value)
                failed = failed || hostFailed
                Console.out(text)
            case .failure(let error as UnreachableError):
                unreachable = true
                Console.out("\(name) | UNREACHABLE! => \(error.message)")
            case .failure(let error):
                failed = true
                Console.out("\(name) | FAILED! => \(error)")
            }
        }
        return unreachable ? 4 : failed ? 2 : 0
    }
}
