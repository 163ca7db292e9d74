#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import Synchronization

/// `--junit FILE`: one testcase per host × task (failed and unreachable as failures, skipped as
/// skipped), written when the run ends, for CI systems that show test reports.
final class JUnitReporter: Sendable {
    let path: String
    private let results = Mutex<[HostResult]>([])

    init(path: String) {
        self.path = path
    }

    func handle(_ event: RunEvent) {
        // One testcase per host and task: a loop's overall result, not each item's.
        guard case .hostResult(let result) = event, result.item == nil else { return }
        results.withLock { $0.append(result) }
    }

    func write() throws {
        let all = results.withLock { $0 }
        let failures = all.filter { $0.status == .failed || $0.status == .unreachable }.count
        let skipped = all.filter { $0.status == .skipped || $0.status == .locked }.count
        let seconds = all.reduce(0.0) { $0 + Double($1.duration.components.seconds) + Double($1.duration.components.attoseconds) / 1e18 }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites><testsuite name="skiff" tests="\#(all.count)" failures="\#(failures)" skipped="\#(skipped)" time="\#(String(printf: "%.3f", seconds))">"# + "\n"
        for result in all {
            let time = Double(result.duration.components.seconds) + Double(result.duration.components.attoseconds) / 1e18
            let name = result.task
            xml += #"  <testcase classname="\#(escape(result.host))" name="\#(escape(name))" time="\#(String(printf: "%.3f", time))">"#
            switch result.status {
            case .failed, .unreachable:
                let message = result.message ?? result.status.rawValue
                xml += #"<failure message="\#(escape(message))" type="\#(result.status.rawValue)">\#(escape(result.stderr ?? message))</failure>"#
            case .skipped:
                xml += "<skipped/>"
            case .locked:
                // Not run: the host's deploy lock was another run's, or deploys are frozen there.
                xml += #"<skipped message="\#(escape(result.message ?? "deploy lock held"))"/>"#
            default:
                break
            }
            xml += "</testcase>\n"
        }
        xml += "</testsuite></testsuites>\n"
        try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Escaped for XML 1.0 text and attributes. Characters XML cannot hold at all (control characters
    /// such as the ANSI escape in coloured stderr) are written as `\u{1B}`, so the report stays valid.
    private func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The report of a run that never started because its input was invalid: one failed testcase.
    func writeInvalidInput(_ message: String) throws {
        let xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            + #"<testsuites><testsuite name="skiff" tests="1" failures="1" skipped="0" time="0.000">"# + "\n"
            + #"  <testcase classname="skiff" name="load playbooks and inventory" time="0.000">"#
            + #"<failure message="invalid input" type="invalid_input">\#(escape(message))</failure></testcase>"# + "\n"
            + "</testsuite></testsuites>\n"
        try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
    }
}
