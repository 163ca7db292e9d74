import OrderedCollections
import SkiffCore
import SkiffModules
import SkiffPlaybook

/// Recognises a task that brought a compose project up, for the audit log's `deployed` records:
/// `skiff.compose_deploy`, `community.docker.docker_compose_v2` (state present or restarted), and
/// `command`/`shell` running `docker compose … up` or `docker-compose … up`. The project is `-p`/
/// `--project-name` (or `project_name`, the basename of `project_src`, `COMPOSE_PROJECT_NAME`); the version is
/// the `VERSION` the task passes to compose (its `environment`, or a `VERSION=…` word before the command).
enum DeploymentDetector {
    static func detect(
        _ task: Task, arguments: OrderedDictionary<String, Value>, environment: OrderedDictionary<String, String>, outcome: ModuleOutcome
    ) -> Deployment? {
        guard !outcome.failed, !outcome.skipped else { return nil }
        switch task.module {
        case "skiff.compose_deploy":
            guard let project = outcome.result["project"]?.text else { return nil }
            let images: [String] = if case .list(let items)? = outcome.result["images_after"] { items.map(\.text) } else { [] }
            return Deployment(project: project, version: outcome.result["version"]?.text, images: images)
        case "community.docker.docker_compose_v2":
            let state = arguments["state"]?.text ?? "present"
            guard state == "present" || state == "restarted" else { return nil }
            let source = arguments["project_src"]?.text.split(separator: "/").last.map(String.init)
            let project = arguments["project_name"]?.text ?? source ?? environment["COMPOSE_PROJECT_NAME"] ?? "default"
            return Deployment(project: project, version: environment["VERSION"])
        case "ansible.builtin.shell", "ansible.builtin.command":
            guard let text = arguments["_raw_params"]?.text ?? arguments["cmd"]?.text else { return nil }
            return fromCommandLine(text, environment: environment)
        default:
            return nil
        }
    }

    static func fromCommandLine(_ text: String, environment: OrderedDictionary<String, String>) -> Deployment? {
        guard let words = try? ShellWords.split(text, comments: true) else { return nil }
        var start: Int?
        for (index, word) in words.enumerated() {
            if word == "docker-compose" || word.hasSuffix("/docker-compose") { start = index + 1; break }
            if (word == "docker" || word.hasSuffix("/docker")), index + 1 < words.count, words[index + 1] == "compose" { start = index + 2; break }
        }
        guard let start else { return nil }
        let rest = Array(words[start...].prefix { !["&&", "||", ";", "|"].contains($0) })
        guard rest.contains("up") else { return nil }
        var project = environment["COMPOSE_PROJECT_NAME"]
        for (index, word) in rest.enumerated() {
            if (word == "-p" || word == "--project-name"), index + 1 < rest.count { project = rest[index + 1] }
            if word.hasPrefix("--project-name=") { project = String(word.dropFirst("--project-name=".count)) }
        }
        var version = environment["VERSION"]
        for word in words[..<start] where word.hasPrefix("VERSION=") { version = String(word.dropFirst(8)) }
        return Deployment(project: project ?? "default", version: version)
    }
}
