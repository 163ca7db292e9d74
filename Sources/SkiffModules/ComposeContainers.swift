import OrderedCollections
import SkiffCore

/// What runs in a compose project, as `docker inspect` tells it, with any compose (v1 has no
/// `images --format json`): per container its service, id, image reference, image digest, state and health.
public enum ComposeContainers {
    public struct Container: Sendable, Equatable {
        public var service: String
        public var id: String
        public var image: String
        public var digest: String
        public var state: String
        public var health: String

        /// `image@digest` when the image came from a registry, else the image as compose named it.
        public var reference: String {
            guard !digest.isEmpty else { return image }
            return "\(image)@\(digest)"
        }

        var value: Value {
            .dict(["service": .string(service), "container": .string(id), "image": .string(image), "digest": .string(digest),
                   "state": .string(state), "health": .string(health)])
        }
    }

    static let format = #"{{index .Config.Labels "com.docker.compose.service"}}|{{.Id}}|{{.Config.Image}}|{{.Image}}"#

    /// Prints one line per container of the project: `service|id|image|image-id|repo-digests|state-json`
    /// (the state as JSON: a template naming `.State.Health` fails where there is no healthcheck).
    static func script(compose: [String]) -> String {
        inspecting(listing: ShellQuote.join(compose + ["ps", "--all", "-q"]))
    }

    /// The same for a compose project by name, whichever compose started it and without its compose file:
    /// the engine's containers labelled with the project (`skiff status`).
    public static func script(project: String) -> String {
        inspecting(listing: ShellQuote.join(["docker", "ps", "--all", "-q", "--filter", "label=com.docker.compose.project=\(project)"]))
    }

    /// Every compose project's containers on the host, by their labels: a line `project NAME` before each
    /// project's container lines (`skiff status`).
    public static func everyProjectScript() -> String {
        """
        projects=$(docker ps --all --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}' | sort -u) || exit 1
        for project in $projects; do
          printf 'project %s\\n' "$project"
        \(inspecting(listing: #"docker ps --all -q --filter "label=com.docker.compose.project=$project""#))
        done
        """
    }

    /// `everyProjectScript`'s output: each project's containers.
    public static func parseProjects(_ output: String) -> [String: [Container]] {
        var projects: [String: [Container]] = [:]
        var current: String?
        var lines: [Substring] = []
        func flush() {
            if let current { projects[current, default: []] += parse(lines.joined(separator: "\n")) }
            lines = []
        }
        for line in output.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("project ") {
                flush()
                current = String(line.dropFirst(8))
            } else {
                lines.append(line)
            }
        }
        flush()
        return projects
    }

    private static func inspecting(listing: String) -> String {
        """
        ids=$(\(listing)) || exit 1
        for id in $ids; do
          line=$(docker inspect --format \(ShellQuote.quote(format)) "$id") || continue
          image=$(printf '%s' "$line" | cut -d'|' -f4)
          digests=$(docker image inspect --format '{{join .RepoDigests " "}}' "$image" 2>/dev/null)
          printf '%s|%s|%s\\n' "$line" "$digests" "$(docker inspect --format '{{json .State}}' "$id")"
        done
        """
    }

    /// The containers from `script`'s output; lines it cannot read are left out.
    public static func parse(_ output: String) -> [Container] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6 else { return nil }
            // The digest of the image as pulled from the image's own repository.
            let repository = fields[2].split(separator: "@").first.map { name -> String in
                let text = String(name)
                guard let colon = text.lastIndex(of: ":"), !text[colon...].contains("/") else { return text }
                return String(text[..<colon])
            } ?? fields[2]
            let digests = fields[4].split(separator: " ").map(String.init)
            let digest = (digests.first { $0.hasPrefix(repository + "@") } ?? digests.first)
                .flatMap { $0.split(separator: "@").last.map(String.init) } ?? ""
            let state = (try? JSONParser.parse(fields[5]))?.dictValue
            let health = state?["Health"]?.dictValue?["Status"]?.text ?? ""
            return Container(service: fields[0], id: fields[1], image: fields[2], digest: digest,
                             state: state?["Status"]?.text ?? "unknown", health: health)
        }
    }

    /// `app: registry/app:1.0.1@sha256:… running` per container, for the task's output.
    static func summary(_ containers: Value?) -> String {
        guard case .list(let items)? = containers else { return "" }
        return items.compactMap { item -> String? in
            guard let container = item.dictValue else { return nil }
            let health = container["health"]?.text ?? ""
            let state = (container["state"]?.text ?? "") + (health.isEmpty ? "" : " (\(health))")
            let digest = container["digest"]?.text ?? ""
            let image = (container["image"]?.text ?? "") + (digest.isEmpty ? "" : "@\(digest)")
            return "\(container["service"]?.text ?? ""): \(image) \(state)"
        }.joined(separator: "\n")
    }
}
