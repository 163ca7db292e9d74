import SkiffCore
import SkiffTemplate

/// libFuzzer entry: the input is template text. It is parsed as a template and as a bare condition and,
/// when it parses, rendered with a small context. Errors are expected; crashes and hangs are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let location = SourceLocation(file: "fuzz.j2", line: 1)
    if let template = try? Template(text, location: location) {
        _ = try? template.render(FuzzContext.context)
        _ = try? template.evaluate(FuzzContext.context)
    }
    if let condition = try? Condition(text, location: location) {
        _ = try? condition.evaluate(FuzzContext.context)
    }
    return 0
}

/// Variables of every kind, including the integer limits, a template-valued variable and a loop.
enum FuzzContext {
    static let context = TemplateContext(
        variables: [
            "n": .int(7), "big": .int(Int.max), "small": .int(Int.min), "f": .double(2.5), "s": .string("web-01"),
            "t": .bool(true), "nothing": .null,
            "hosts": .list([.string("web1"), .string("web2"), .int(3)]),
            "result": .dict(["rc": .int(0), "stdout": .string("ok\n"), "failed": .bool(false), "changed": .bool(true)]),
            "image": .string("{{ s }}:{{ n }}"),
            "loop_a": .string("{{ loop_b }}"), "loop_b": .string("{{ loop_a }}"),
        ],
        environment: { $0 == "HOME" ? "/root" : nil },
        searchPaths: ["/nonexistent-skiff-fuzz"])
}
