import OrderedCollections
import SkiffCore

/// A module, in one type: the names playbooks call it by, the arguments it takes, whether it can run
/// under `--check` and show `--diff`, and its plan (arguments → the steps that do the work on the
/// host). Register a new module in `ModuleRegistry.all`; nothing else needs to know about it.
public protocol Module: Sendable {
    /// `shell`, `ansible.builtin.shell`, `ansible.legacy.shell`, …
    static var names: ModuleNames { get }
    static var arguments: ArgumentSpec { get }
    /// Under `--check` the module finds out what it would change and changes nothing; a module without
    /// it is skipped in check mode.
    static var supportsCheckMode: Bool { get }
    /// Under `--diff` the module says how it changed a file or a state.
    static var supportsDiff: Bool { get }
    /// The module's actions run on the controller, in the runner (`debug`, `set_fact`, …): they need the
    /// run's variables and have no plan.
    static var runsOnController: Bool { get }
    /// The program of remote steps for these (templated, checked) arguments.
    static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan
}

extension Module {
    public static var supportsCheckMode: Bool { false }
    public static var supportsDiff: Bool { false }
    public static var runsOnController: Bool { false }

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        throw ModuleError("the module \(names.canonical) cannot run yet in this version of Skiff")
    }
}

/// The names of a module: its canonical one (`ansible.builtin.shell`, `community.docker.docker_login`)
/// and every other name a task may use for it.
public struct ModuleNames: Sendable {
    public let canonical: String
    public let all: [String]

    /// The short name (`shell`), for messages.
    public var short: String { String(canonical.split(separator: ".").last ?? Substring(canonical)) }

    /// An ansible-core module: `NAME`, `ansible.builtin.NAME`, `ansible.legacy.NAME`, plus `also`
    /// (the collections that ship the same module, such as `community.general.NAME`).
    public static func builtin(_ name: String, also: [String] = []) -> ModuleNames {
        ModuleNames(canonical: "ansible.builtin.\(name)", all: [name, "ansible.builtin.\(name)", "ansible.legacy.\(name)"] + also)
    }

    /// A collection's module (`community.docker`, `skiff`): `NAME` and `COLLECTION.NAME`, plus `also`.
    public static func collection(_ collection: String, _ name: String, also: [String] = []) -> ModuleNames {
        ModuleNames(canonical: "\(collection).\(name)", all: [name, "\(collection).\(name)"] + also)
    }
}

/// What a module's plan may use besides its arguments: the task's environment, and the controller's
/// files (found and read by the runner: modules do no I/O).
public struct ModuleContext: Sendable {
    public var environment: OrderedDictionary<String, String>
    public var files: any ControllerFiles
    /// A fresh name for a per-task directory on the host (`/tmp/skiff-<128 random bits>`).
    public var runDirectory: @Sendable () -> String

    public init(
        environment: OrderedDictionary<String, String> = [:], files: any ControllerFiles = NoControllerFiles(),
        runDirectory: @escaping @Sendable () -> String = { "/tmp/skiff-\(RandomToken.hex128())" }
    ) {
        self.environment = environment
        self.files = files
        self.runDirectory = runDirectory
    }
}

/// The controller-side files a task names (`copy: src=…`, `template: src=…`), as the runner finds them:
/// absolute, in the role's `files/`/`templates/`, or beside the playbook.
public protocol ControllerFiles: Sendable {
    /// The path of `name`, looked up in `kind` (`files`, `templates`).
    func locate(_ name: String, kind: String) throws -> String
    func sha256(ofFile path: String) throws -> String
    /// A small, non-binary file's text, for `--diff`.
    func diffableText(ofFile path: String) -> String?
    /// A template file rendered with the task's variables.
    func render(templateAt path: String) throws -> String
    /// The regular files under a directory, relative to it, sorted (`copy` of a directory).
    func files(under directory: String) throws -> [String]
    /// The directories under a directory (empty ones too), relative to it, sorted.
    func directories(under directory: String) throws -> [String]
    /// Whether the path is a directory on the controller.
    func isDirectory(_ path: String) -> Bool
}

/// No controller files: for plans that need none (and tests).
public struct NoControllerFiles: ControllerFiles {
    public init() {}
    public func locate(_ name: String, kind: String) throws -> String { throw ModuleError("could not find '\(name)'") }
    public func sha256(ofFile path: String) throws -> String { throw ModuleError("cannot read \(path)") }
    public func diffableText(ofFile path: String) -> String? { nil }
    public func render(templateAt path: String) throws -> String { throw ModuleError("cannot read \(path)") }
    public func files(under directory: String) throws -> [String] { throw ModuleError("cannot read \(directory)") }
    public func directories(under directory: String) throws -> [String] { throw ModuleError("cannot read \(directory)") }
    public func isDirectory(_ path: String) -> Bool { false }
}
