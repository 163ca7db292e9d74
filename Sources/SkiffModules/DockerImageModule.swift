import OrderedCollections
import SkiffCore

/// `community.docker.docker_image`: an image on the host, with the docker CLI. `source: pull` pulls the
/// image when it is missing (or always, with `force_source`), `load` runs `docker load` of `load_path`,
/// `build` runs `docker build` of `build.path` when the image is missing (or always, with `force_source`:
/// `build.dockerfile` relative to the path, `build.args` — passed in the environment, never on the command
/// line —, `build.pull`, `build.nocache`, `build.target`, `build.network`, `build.labels`, `build.platform`,
/// `build.cache_from`, `build.etc_hosts`, `build.rm`), and `local` (or no source) needs it there already;
/// `changed` only when the image's id changed. `repository`
/// tags it (`docker tag`) unless that tag already names the same image (or with `force_tag`); `push` pushes
/// it (the repository's tag, else the name): a change when layers were uploaded or the registry's digest is
/// new to the image. `state: absent` removes the tag (`force_absent`: `docker rmi --force`). Under `--check`
/// only the questions run. Returns `image` (the inspect result) and `actions`.
public enum DockerImageModule: Module {
    public static let names = ModuleNames.collection("community.docker", "docker_image")
    public static let arguments = ArgumentSpec([
        .string("name", required: true), .string("tag", default: "latest"),
        .string("source", choices: ["pull", "load", "local", "build"]), .dict("build"), .string("state", choices: ["present", "absent"], default: "present"),
        .bool("force_source"), .bool("force_absent"), .bool("force_tag"), .string("repository"), .bool("push"), .string("load_path"),
    ], requiredBy: ["load_path": ["source"]], requiredIf: [.init("source", "build", needs: ["build"]), .init("source", "load", needs: ["load_path"])])
    public static let supportsCheckMode = true

    public static func plan(_ arguments: ModuleArguments, _ context: ModuleContext) throws -> ModulePlan {
        let reference = self.reference(try arguments.required("name"), tag: arguments.string("tag") ?? "latest")
        if arguments.string("state") == "absent" {
            return ModulePlan(DockerContainerModule.inspect(["image", "inspect", reference]) { before in
                guard before != nil else { return .finish(ModuleOutcome()) }
                let argv = ["docker", "rmi"] + (arguments.bool("force_absent") ? ["--force"] : []) + [reference]
                return DockerContainerModule.steps([argv], arguments) {
                    .finish(ModuleOutcome(changed: true, result: ["image": .dict([:]), "actions": .list([.string("Removed image \(reference)")])]))
                }
            })
        }
        if arguments.string("source") == "load" && arguments.string("load_path") == nil {
            throw ModuleError("docker_image: source load needs load_path")
        }
        if arguments.string("source") == "build" { _ = try build(reference, arguments) }
        return ModulePlan(DockerContainerModule.inspect(["image", "inspect", reference]) { before in
            source(reference, before: before, arguments) { image, actions in
                tag(reference, image: image, actions: actions, arguments) { actions in
                    push(reference, image: image, actions: actions, arguments)
                }
            }
        })
    }

    /// `NAME:TAG`; a name that has its own tag or digest keeps it.
    static func reference(_ name: String, tag: String) -> String {
        let last = name.split(separator: "/").last ?? Substring(name)
        return name.contains("@") || last.contains(":") ? name : "\(name):\(tag)"
    }

    /// The repository of a reference, less its tag or digest (`127.0.0.1:5000/app:1.0` → `127.0.0.1:5000/app`).
    static func repository(of reference: String) -> String {
        if let at = reference.firstIndex(of: "@") { return String(reference[..<at]) }
        let slash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[slash...].lastIndex(of: ":") { return String(reference[..<colon]) }
        return reference
    }

    typealias Image = OrderedDictionary<String, Value>

    static func finish(changed: Bool, _ image: Image?, _ actions: [String]) -> ModuleProgram {
        .finish(ModuleOutcome(changed: changed, result: ["image": .dict(image ?? [:]), "actions": .list(actions.map(Value.string))]))
    }

    /// The image present (pulled or loaded when needed); `next` gets it and the actions so far.
    static func source(_ reference: String, before: Image?, _ arguments: ModuleArguments,
                       _ next: @escaping @Sendable (Image?, [String]) -> ModuleProgram) -> ModuleProgram {
        let source = arguments.string("source") ?? "local"
        guard source != "local" else {
            guard before != nil else { return .finish(ModuleOutcome(failed: true, message: "Cannot find the image \(reference) locally")) }
            return next(before, [])
        }
        guard before == nil || arguments.bool("force_source") else { return next(before, []) }
        let step: RemoteStep
        let action: String
        switch source {
        case "pull":
            step = RemoteStep(.argv(["docker", "pull", reference]))
            action = "Pulled image \(reference)"
        case "build":
            guard let build = try? build(reference, arguments) else { return .finish(ModuleOutcome(failed: true, message: "docker_image: source build needs build.path")) }
            step = build
            action = "Built image \(reference) from \(arguments.values["build"]?.dictValue?["path"]?.text ?? "")"
        default:
            step = RemoteStep(.argv(["docker", "load", "--input", arguments.string("load_path") ?? ""]))
            action = "Loaded image \(reference) from \(arguments.string("load_path") ?? "")"
        }
        let command = "docker \(source)"
        if arguments.checkMode { return finish(changed: true, before, [action]) }
        return .run(step) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "\(command) failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            return DockerContainerModule.inspect(["image", "inspect", reference]) { after in
                guard after != nil else {
                    return .finish(ModuleOutcome(failed: true, message: "\(command) did not give the host the image \(reference)"))
                }
                return next(after, after?["Id"] != before?["Id"] ? [action] : [])
            }
        }
    }

    /// `docker build --tag REFERENCE … .` in `build.path`; the build args are exported to the command and
    /// named on its command line without their values (`--build-arg NAME` takes the value from there).
    static func build(_ reference: String, _ arguments: ModuleArguments) throws -> RemoteStep {
        let options = arguments.values["build"]?.dictValue ?? [:]
        guard let path = options["path"]?.text, !path.isEmpty else { throw ModuleError("docker_image: source build needs build.path") }
        var argv = ["docker", "build", "--tag", reference]
        if let dockerfile = options["dockerfile"]?.text { argv += ["--file", dockerfile] }
        var environment = OrderedDictionary<String, String>()
        for (name, value) in options["args"]?.dictValue ?? [:] {
            guard EnvironmentExports.isName(name) else { throw ModuleError("docker_image: build.args: '\(name)' is not a valid build argument name") }
            environment[name] = value.text
            argv += ["--build-arg", name]
        }
        for (name, value) in options["labels"]?.dictValue ?? [:] { argv += ["--label", "\(name)=\(value.text)"] }
        for (name, value) in options["etc_hosts"]?.dictValue ?? [:] { argv += ["--add-host", "\(name):\(value.text)"] }
        for image in options["cache_from"]?.listValue ?? [] { argv += ["--cache-from", image.text] }
        let flag = { (key: String) in options[key].map { ModuleArguments([key: $0], module: "docker_image").bool(key) } }
        if flag("pull") == true { argv.append("--pull") }
        if flag("nocache") == true { argv.append("--no-cache") }
        if flag("rm") == false { argv.append("--rm=false") }
        for (key, option) in [("target", "--target"), ("network", "--network"), ("platform", "--platform")] {
            if let value = options[key]?.text { argv += [option, value] }
        }
        return RemoteStep(.argv(argv + ["."]), environment: environment, chdir: path)
    }

    /// `docker tag` to `repository` (with the tag when it has none) unless that already names the image.
    static func tag(_ reference: String, image: Image?, actions: [String], _ arguments: ModuleArguments,
                    _ next: @escaping @Sendable ([String]) -> ModuleProgram) -> ModuleProgram {
        guard let target = target(arguments) else { return next(actions) }
        return DockerContainerModule.inspect(["image", "inspect", target]) { tagged in
            guard arguments.bool("force_tag") || tagged?["Id"] == nil || tagged?["Id"] != image?["Id"] else { return next(actions) }
            let done = actions + ["Tagged image \(reference) to \(target)"]
            if arguments.checkMode { return finish(changed: true, image, done) }
            return DockerContainerModule.steps([["docker", "tag", reference, target]], arguments) { next(done) }
        }
    }

    static func target(_ arguments: ModuleArguments) -> String? {
        arguments.string("repository").map { reference($0, tag: arguments.string("tag") ?? "latest") }
    }

    /// `docker push` of the repository's tag (else the name); then the result, the image as it is now.
    static func push(_ reference: String, image: Image?, actions: [String], _ arguments: ModuleArguments) -> ModuleProgram {
        let done: @Sendable ([String]) -> ModuleProgram = { actions in
            if arguments.checkMode { return finish(changed: !actions.isEmpty, image, actions) }
            return DockerContainerModule.inspect(["image", "inspect", reference]) { finish(changed: !actions.isEmpty, $0, actions) }
        }
        guard arguments.bool("push") else { return done(actions) }
        let pushed = target(arguments) ?? reference
        let repository = repository(of: pushed)
        let known = (image?["RepoDigests"]?.listValue ?? []).compactMap(\.stringValue)
        if arguments.checkMode {
            // Without pushing, the image's digests say whether this repository has it already.
            return done(known.contains { $0.hasPrefix("\(repository)@") } ? actions : actions + ["Pushed image \(pushed)"])
        }
        return .run(RemoteStep(.argv(["docker", "push", pushed]))) { result in
            guard result.succeeded else {
                return .finish(ModuleOutcome(failed: true, message: "docker push \(pushed) failed: \(result.stderrText.trimmingTrailingNewlines)"))
            }
            let lines = result.stdoutText.split(whereSeparator: \.isNewline)
            let uploaded = lines.contains { $0.hasSuffix(": Pushed") }
            let digest = lines.compactMap { line in line.firstRange(of: "digest: ").map { line[$0.upperBound...].split(separator: " ").first.map(String.init) } ?? nil }.first
            let new = digest.map { !known.contains("\(repository)@\($0)") } ?? true
            return done(uploaded || new ? actions + ["Pushed image \(pushed)"] : actions)
        }
    }
}
