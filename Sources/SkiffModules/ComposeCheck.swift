import OrderedCollections
import SkiffCore

/// What `docker_compose_v2` (and the v1 name `docker_compose`) would do under `--check`, found without
/// changing anything and with any compose (v1 has no `--dry-run`): the configuration hash compose gives
/// each service of the file (`config --hash`) against the `com.docker.compose.config-hash` label of the
/// project's containers, whether they run, and whether their image reference now names another image.
///
/// - `present`: a service with no container would be created; a container whose hash differs or whose
///   image moved would be recreated (not with `recreate: never`; always with `recreate: always`, as with
///   `build: always`); a stopped one would be started.
/// - `stopped`: a running container would be stopped. `restarted`: every container would be restarted.
/// - `absent`: every container would be removed.
///
/// Whether a registry has a newer image than the host (`pull: always`) is not asked: nothing is pulled.
enum ComposeCheck {
    /// One container of the project as the script prints it.
    struct Container: Equatable {
        var service: String
        var configHash: String
        var running: Bool
        /// The id of the image the container runs, and the id its image reference names now ("-": none).
        var image: String
        var currentImage: String
    }

    /// Prints `want SERVICE HASH` per service of the compose file, then `have SERVICE HASH RUNNING IMAGE-ID
    /// CURRENT-IMAGE-ID` per container of the project.
    static func script(compose: [String]) -> String {
        let hash = #"{{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.config-hash"}} {{.State.Running}} {{.Image}}"#
        return """
            hashes=$(\(ShellQuote.join(compose + ["config", "--hash", "*"]))) || exit 1
            printf '%s\\n' "$hashes" | sed -n 's/^/want /p'
            ids=$(\(ShellQuote.join(compose + ["ps", "--all", "-q"]))) || exit 1
            for id in $ids; do
              line=$(docker inspect --format \(ShellQuote.quote(hash)) "$id") || continue
              reference=$(docker inspect --format '{{.Config.Image}}' "$id") || continue
              current=$(docker image inspect --format '{{.Id}}' "$reference" 2>/dev/null) || current=-
              printf 'have %s %s\\n' "$line" "$current"
            done
            """
    }

    static func parse(_ output: String) -> (want: OrderedDictionary<String, String>, have: [Container]) {
        var want = OrderedDictionary<String, String>()
        var have: [Container] = []
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ").map(String.init)
            if words.count == 3, words[0] == "want" {
                want[words[1]] = words[2]
            } else if words.count == 6, words[0] == "have" {
                have.append(Container(service: words[1], configHash: words[2], running: words[3] == "true", image: words[4], currentImage: words[5]))
            }
        }
        return (want, have)
    }

    /// What compose would do, one `{what, id, status}` per container action (`status`: Creating,
    /// Recreating, Starting, Stopping, Restarting, Removing), for the selected services (all when empty).
    static func actions(_ arguments: ModuleArguments, want: OrderedDictionary<String, String>, have: [Container]) -> [Value] {
        let selected = arguments.list("services")
        let services = selected.isEmpty ? Array(want.keys) : selected
        let mine = have.filter { selected.isEmpty || selected.contains($0.service) }
        func action(_ status: String, _ service: String) -> Value {
            .dict(["what": .string("container"), "id": .string(service), "status": .string(status)])
        }
        switch arguments.string("state") ?? "present" {
        case "absent": return have.map { action("Removing", $0.service) }
        case "stopped": return mine.filter(\.running).map { action("Stopping", $0.service) }
        case "restarted": return mine.map { action("Restarting", $0.service) }
        default:
            let recreate = arguments.string("recreate") ?? "auto"
            let rebuild = arguments.string("build") == "always"
            return services.flatMap { service -> [Value] in
                let containers = have.filter { $0.service == service }
                guard !containers.isEmpty else { return [action("Creating", service)] }
                return containers.compactMap { container in
                    let outdated = container.configHash != want[service] || container.image != container.currentImage
                    if recreate == "always" || rebuild || (outdated && recreate != "never") { return action("Recreating", service) }
                    return container.running ? nil : action("Starting", service)
                }
            }
        }
    }
}
