@testable import SkiffRunner
import Synchronization
import Testing

/// The linear strategy's turns, without hosts: who goes when.
@Suite("lockstep (the linear strategy)")
struct LockstepTests {
    /// Each host takes its turns at `positions`, holding each for a moment; returns `host@position` in the
    /// order the turns were given (`*` for the first host let go at a position) and the most hosts that
    /// ever held a turn at once.
    static func run(_ plan: [(String, [[Int]])], forks: Int) async -> (log: [String], mostAtOnce: Int) {
        let lockstep = Lockstep(hosts: plan.map(\.0), forks: forks)
        let recorder = Recorder()
        await withTaskGroup(of: Void.self) { group in
            for (host, positions) in plan {
                group.addTask {
                    for path in positions {
                        let first = await lockstep.turn(host, at: TaskPosition(path: path))
                        recorder.state.withLock { state in
                            state.log.append("\(host)@\(path.map(String.init).joined(separator: "."))\(first ? "*" : "")")
                            state.running += 1
                            state.most = max(state.most, state.running)
                        }
                        try? await _Concurrency.Task.sleep(for: .milliseconds(20))
                        recorder.state.withLock { $0.running -= 1 }
                    }
                    lockstep.leave(host)
                }
            }
        }
        return recorder.state.withLock { ($0.log, $0.most) }
    }

    final class Recorder: Sendable {
        let state = Mutex<(log: [String], running: Int, most: Int)>(([], 0, 0))
    }

    static func positions(_ log: some Sequence<String>) -> Set<String> {
        Set(log.map { String($0.split(separator: "@").last ?? "").replacingOccurrences(of: "*", with: "") })
    }

    @Test func nobodyStartsATaskBeforeEveryHostIsDoneWithTheOneBefore() async {
        // c is already at the second task (it skipped nothing: it just got there first).
        let (log, most) = await Self.run([("a", [[1, 0], [1, 1]]), ("b", [[1, 0], [1, 1]]), ("c", [[1, 1]])], forks: 5)
        #expect(log.count == 5)
        #expect(Self.positions(log.prefix(2)) == ["1.0"], "the earliest position goes first: \(log)")
        #expect(Self.positions(log.suffix(3)) == ["1.1"], "then all three together: \(log)")
        #expect(log.prefix(2).filter { $0.hasSuffix("*") }.count == 1 && log.suffix(3).filter { $0.hasSuffix("*") }.count == 1,
                "one host per position shows the header: \(log)")
        #expect(most == 3)
    }

    @Test func forksLimitHowManyHostsRunATaskAtOnce() async {
        let plan = ["a", "b", "c", "d"].map { ($0, [[0], [1, 0], [1, 1, 0, 2]]) }
        let (log, most) = await Self.run(plan, forks: 2)
        #expect(most == 2, "\(log)")
        for round in 0..<3 {
            #expect(Self.positions(log[(round * 4)..<(round * 4 + 4)]).count == 1, "each task on all four hosts before the next: \(log)")
        }
    }

    @Test func aHostThatLeavesIsNotWaitedFor() async {
        // b fails or becomes unreachable before its first task: a goes on alone.
        let (log, _) = await Self.run([("a", [[1, 0], [1, 1]]), ("b", [])], forks: 5)
        #expect(log == ["a@1.0*", "a@1.1*"])
    }

    @Test func positionsFollowThePlayOrder() {
        let block = TaskPosition.tasks.appending(3)
        #expect(TaskPosition.facts < block)
        #expect(block.appending(0, 5) < block.appending(1, 0), "a block's tasks before its rescue")
        #expect(block.appending(1, 9) < block.appending(2, 0), "rescue before always")
        #expect(block < block.appending(0), "an include before its items")
        #expect(block.appending(2, 0) < TaskPosition.tasks.appending(4))
        #expect(TaskPosition.tasks.appending(99) < TaskPosition.handler(0))
    }
}
