import Foundation
import SkiffPlaybook

/// libFuzzer entry: the input is a playbook file, loaded as `skiff` loads one (YAML, plays, tasks,
/// module arguments, templates checked). Errors are expected; crashes and hangs are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlaybook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzFiles.write(Data(bytes: data, count: size), as: "playbook.yml")
    _ = try? PlaybookLoader().load(path)
    return 0
}
