import Foundation
import SkiffInventory

/// libFuzzer entry: the input is an inventory file, loaded as `skiff -i` loads one: as INI when its first
/// byte is even, else as YAML (the rest of the input is the file). Errors are expected; crashes and hangs
/// are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInventory(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = data[0] % 2 == 0 ? "hosts" : "hosts.yml"
    let path = FuzzFiles.write(Data(bytes: data + 1, count: size - 1), as: name)
    _ = try? InventoryLoader().load(sources: [path])
    return 0
}
