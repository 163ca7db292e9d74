import SkiffCore
import Testing

@Suite("ansible.cfg")
struct AnsibleConfigTests {
    @Test func readsDefaultsAsConfigparserDoes() {
        let config = AnsibleConfig(path: "/srv/deploy/ansible.cfg", text: """
            # a comment
            ; another
            [defaults]
            inventory = inventory/hosts.ini, /etc/extra.ini
            forks: 25
            Remote_User = deploy ; who logs in
            private_key_file = ~/keys/deploy
            host_key_checking = False

            [ssh_connection]
            pipelining = True
            """)
        #expect(config[defaults: "forks"] == "25")
        #expect(config[defaults: "remote_user"] == "deploy", "keys are case-insensitive, inline ; comments dropped")
        #expect(config[defaults: "host_key_checking"] == "False")
        #expect(config.paths(defaults: "inventory") == ["/srv/deploy/inventory/hosts.ini", "/etc/extra.ini"], "relative to the file")
        #expect(config.path(defaults: "private_key_file")?.hasSuffix("/keys/deploy") == true)
        #expect(config.path(defaults: "private_key_file")?.hasPrefix("~") == false, "~ expanded")
        #expect(config.sections["ssh_connection"]?["pipelining"] == "True")
        #expect(config[defaults: "timeout"] == nil)
    }

    /// ansible-core reads roles_path as a pathspec: split on ':', each entry relative to the file.
    @Test func rolesPathIsAColonSeparatedListRelativeToTheFile() {
        let config = AnsibleConfig(path: "/srv/deploy/ansible.cfg", text: "[defaults]\nroles_path = roles:/opt/shared/roles: ~/more\n")
        #expect(config.searchPath(defaults: "roles_path") == ["/srv/deploy/roles", "/opt/shared/roles", (Environment.value("HOME") ?? "") + "/more"])
        #expect(AnsibleConfig(path: "/srv/ansible.cfg", text: "[defaults]\n").searchPath(defaults: "roles_path") == nil)
    }
}
