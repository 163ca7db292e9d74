/// Runs work for many hosts at once, at most `limit` at a time, and returns every host's outcome
/// in the order the hosts were given: one host's failure never stops the others.
struct ParallelHosts {
    let limit: Int

    func run<Host: Sendable, Value: Sendable>(
        _ hosts: [Host], _ work: @escaping @Sendable (Host) async throws -> Value
    ) async -> [Result<Value, Error>] {
        await withTaskGroup(of: (Int, Result<Value, Error>).self) { group in
            var results = [Result<Value, Error>?](repeating: nil, count: hosts.count)
            var next = 0
            func startNext() {
                guard next < hosts.count else { return }
                let index = next
                next += 1
                let host = hosts[index]
                group.addTask {
                    do { return (index, .success(try await work(host))) } catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<min(max(1, limit), hosts.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
            // Every host ran (one at a time at least), so each has its outcome.
            return results.map { $0 ?? .failure(CancellationError()) }
        }
    }
}
