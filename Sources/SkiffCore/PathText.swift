#if canImport(Glibc)
import Glibc
#endif

/// File paths as text, split and joined at `/` the way Skiff names files in messages and resolves them
/// relative to a playbook: trailing slashes do not make a component, `..` is left to the file system.
public enum PathText {
    /// The last component: `b` of `/a/b` and of `a/b/`; `/` of `/`.
    public static func lastComponent(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard let last = parts.last else { return path.hasPrefix("/") ? "/" : "" }
        return String(last)
    }

    /// The path without its last component: `/a` of `/a/b`, `/` of `/a`, empty for `a`.
    public static func parent(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts = path.split(separator: "/")
        guard !parts.isEmpty else { return absolute ? "/" : "" }
        parts.removeLast()
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : joined
    }

    /// `component` appended with one `/` between (the component alone when `path` is empty).
    public static func appending(_ path: String, _ component: String) -> String {
        guard !path.isEmpty else { return component }
        guard !component.isEmpty else { return path }
        return (path.hasSuffix("/") ? path : path + "/") + (component.hasPrefix("/") ? String(component.dropFirst()) : component)
    }

    /// The extension of the last component (`yml` of `vars/main.yml`); empty when there is none
    /// (`.bashrc`, `Makefile`).
    public static func `extension`(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// The path without the extension of its last component (`tasks/setup` of `tasks/setup.yml`).
    public static func deletingExtension(_ path: String) -> String {
        let suffix = `extension`(path)
        guard !suffix.isEmpty else { return path }
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        return String(trimmed.dropLast(suffix.count + 1))
    }

    /// The path with symbolic links, `.` and `..` resolved by the file system; as given when it does not exist.
    public static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
