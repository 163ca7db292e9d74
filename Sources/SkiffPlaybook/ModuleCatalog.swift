/// The modules Skiff runs, under every name playbooks use for them: `shell`, `ansible.builtin.shell`,
/// `ansible.legacy.shell`, `community.docker.docker_login`, `skiff.compose_deploy`.
public enum ModuleCatalog {
    public static let modules: [ModuleSpec] = [
        ModuleSpec("ansible.builtin.command", freeForm: true, [
            ("cmd", .string, false, []), ("argv", .list, false, []), ("chdir", .string, false, []),
            ("creates", .string, false, []), ("removes", .string, false, []), ("stdin", .string, false, []),
            ("stdin_add_newline", .bool, false, []), ("strip_empty_ends", .bool, false, []),
        ]),
        ModuleSpec("ansible.builtin.shell", freeForm: true, [
            ("cmd", .string, false, []), ("chdir", .string, false, []), ("creates", .string, false, []),
            ("removes", .string, false, []), ("executable", .string, false, []), ("stdin", .string, false, []),
            ("stdin_add_newline", .bool, false, []),
        ]),
        ModuleSpec("ansible.builtin.raw", freeForm: true, [("executable", .string, false, [])]),
        ModuleSpec("ansible.builtin.copy", oneOf: [["src", "content"]], [
            ("src", .string, false, []), ("content", .raw, false, []), ("dest", .string, true, []),
            ("mode", .raw, false, []), ("owner", .string, false, []), ("group", .string, false, []),
            ("backup", .bool, false, []), ("force", .bool, false, []), ("remote_src", .bool, false, []),
            ("directory_mode", .raw, false, []), ("validate", .string, false, []),
        ]),
        ModuleSpec("ansible.builtin.template", [
            ("src", .string, true, []), ("dest", .string, true, []), ("mode", .raw, false, []),
            ("owner", .string, false, []), ("group", .string, false, []), ("backup", .bool, false, []),
            ("force", .bool, false, []), ("validate", .string, false, []),
        ]),
        ModuleSpec("ansible.builtin.file", [
            ("path", .string, true, ["dest", "name"]), ("state", .string, false, []), ("mode", .raw, false, []),
            ("owner", .string, false, []), ("group", .string, false, []), ("src", .string, false, []),
            ("recurse", .bool, false, []), ("force", .bool, false, []),
        ]),
        ModuleSpec("ansible.builtin.debug", [("msg", .raw, false, []), ("var", .string, false, []), ("verbosity", .int, false, [])]),
        ModuleSpec("ansible.builtin.set_fact", freeForm: true, [("cacheable", .bool, false, [])]),
        ModuleSpec("ansible.builtin.assert", [
            ("that", .raw, true, []), ("fail_msg", .raw, false, ["msg"]), ("success_msg", .raw, false, []),
            ("quiet", .bool, false, []),
        ]),
        ModuleSpec("ansible.builtin.fail", [("msg", .raw, false, [])]),
        ModuleSpec("ansible.builtin.pause", [("seconds", .int, false, []), ("minutes", .int, false, []), ("prompt", .string, false, []),
                                              ("echo", .bool, false, [])]),
        ModuleSpec("ansible.builtin.wait_for", [
            ("host", .string, false, []), ("port", .int, false, []), ("path", .string, false, []),
            ("state", .string, false, []), ("timeout", .int, false, []), ("delay", .int, false, []),
            ("sleep", .int, false, []), ("search_regex", .string, false, []), ("msg", .string, false, []),
            ("connect_timeout", .int, false, []),
        ]),
        ModuleSpec("ansible.builtin.stat", [("path", .string, true, []), ("get_checksum", .bool, false, []), ("follow", .bool, false, [])]),
        ModuleSpec("ansible.builtin.slurp", [("src", .string, true, ["path"])]),
        ModuleSpec("ansible.builtin.lineinfile", [
            ("path", .string, true, ["dest", "destfile", "name"]), ("line", .string, false, ["value"]),
            ("regexp", .string, false, ["regex"]), ("state", .string, false, []), ("create", .bool, false, []),
            ("insertafter", .string, false, []), ("insertbefore", .string, false, []), ("mode", .raw, false, []),
            ("backup", .bool, false, []), ("backrefs", .bool, false, []), ("firstmatch", .bool, false, []),
            ("owner", .string, false, []), ("group", .string, false, []),
        ]),
        ModuleSpec("ansible.builtin.get_url", [
            ("url", .string, true, []), ("dest", .string, true, []), ("mode", .raw, false, []),
            ("checksum", .string, false, []), ("force", .bool, false, []), ("timeout", .int, false, []),
            ("headers", .dict, false, []), ("owner", .string, false, []), ("group", .string, false, []),
        ]),
        ModuleSpec("ansible.builtin.uri", [
            ("url", .string, true, []), ("method", .string, false, []), ("status_code", .raw, false, []),
            ("return_content", .bool, false, []), ("body", .raw, false, []), ("body_format", .string, false, []),
            ("headers", .dict, false, []), ("timeout", .int, false, []), ("validate_certs", .bool, false, []),
            ("follow_redirects", .raw, false, []), ("user", .string, false, ["url_username"]),
            ("password", .string, false, ["url_password"]), ("force_basic_auth", .bool, false, []),
        ]),
        ModuleSpec("community.docker.docker_login", [
            ("registry_url", .string, false, ["registry", "url"]), ("username", .string, false, []),
            ("password", .string, false, []), ("reauthorize", .bool, false, ["reauth"]), ("state", .string, false, []),
            ("config_path", .string, false, ["dockercfg_path"]), ("email", .string, false, []),
        ]),
        ModuleSpec("community.docker.docker_compose_v2", [
            ("project_src", .string, false, []), ("files", .list, false, []), ("project_name", .string, false, []),
            ("state", .string, false, []), ("pull", .string, false, []), ("remove_orphans", .bool, false, []),
            ("recreate", .string, false, []), ("services", .list, false, []), ("wait", .bool, false, []),
            ("wait_timeout", .int, false, []), ("env_files", .list, false, []), ("build", .string, false, []),
            ("dependencies", .bool, false, []), ("definition", .dict, false, []), ("profiles", .list, false, []),
        ]),
        ModuleSpec("skiff.compose_deploy", [
            ("project", .string, true, ["project_name"]), ("files", .list, true, ["compose_files"]),
            ("version", .string, true, []), ("registry_url", .string, false, ["registry"]),
            ("username", .string, false, []), ("password", .string, false, []), ("env", .dict, false, []),
            ("pull", .string, false, []), ("wait", .bool, false, []), ("wait_timeout", .int, false, []),
            ("remove_orphans", .bool, false, []),
        ]),
        ModuleSpec("ansible.builtin.include_vars", freeForm: true, [("file", .string, false, []), ("name", .string, false, [])]),
        ModuleSpec("ansible.builtin.meta", freeForm: true, []),
        ModuleSpec("ansible.builtin.setup", [("gather_subset", .raw, false, []), ("filter", .raw, false, [])]),
    ]

    private static let byName: [String: ModuleSpec] = {
        var index: [String: ModuleSpec] = [:]
        for spec in modules {
            index[spec.name] = spec
            index[spec.shortName] = spec
            if spec.name.hasPrefix("ansible.builtin.") { index["ansible.legacy." + spec.shortName] = spec }
        }
        index["community.docker.docker_compose"] = nil
        return index
    }()

    /// The module a task names, under any of its names.
    public static func spec(for name: String) -> ModuleSpec? { byName[name] }

    /// Every name a module can be called by, for "did you mean" hints.
    static var allNames: [String] { Array(byName.keys) }
}
