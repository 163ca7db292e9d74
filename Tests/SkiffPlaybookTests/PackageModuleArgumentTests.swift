import Foundation
import SkiffCore
@testable import SkiffPlaybook
import Testing

/// Bad arguments to apt_repository, deb822_repository, apt_key, dnf/yum and pip are errors when the
/// playbook loads, at the module's line.
@Suite("package module arguments, checked when the playbook loads")
struct PackageModuleArgumentTests {
    @Test(arguments: [
        ("apt_repository: {repo: 'deb http://x/ s main', state: enabled}", "argument 'state' of 'apt_repository' must be one of absent, present, not 'enabled'"),
        ("ansible.builtin.apt_repository: {state: present}", "'apt_repository' needs the argument 'repo'"),
        ("apt_repository: {repo: 'deb http://x/ s main', update_cache: sometimes}", "argument 'update_cache' of 'apt_repository' must be true or false"),
        ("deb822_repository: {uris: 'http://x/', suites: s}", "'deb822_repository' needs the argument 'name'"),
        ("deb822_repository: {name: x, include: [a], exclude: [b]}", "'deb822_repository' takes only one of: exclude, include"),
        ("deb822_repository: {name: x, signed: /k.asc}", "'deb822_repository' has no argument 'signed'"),
        ("apt_key: {url: 'https://x/k', data: abc}", "'apt_key' takes only one of: data, url"),
        ("apt_key: {keyserver: keyserver.ubuntu.com}", "'apt_key' needs the argument 'id' with 'keyserver'"),
        ("apt_key: {id: ABCD1234, state: removed}", "argument 'state' of 'apt_key' must be one of absent, present, not 'removed'"),
        ("yum: {name: nginx, state: running}", "argument 'state' of 'dnf' must be one of absent, present, installed, removed, latest, not 'running'"),
        ("ansible.builtin.dnf: {name: nginx, list: installed}", "'dnf' takes only one of: name, list"),
        ("dnf: {state: present}", "'dnf' needs one of: name, list, update_cache"),
        ("pip: {name: flask, requirements: r.txt}", "'pip' takes only one of: name, requirements"),
        ("pip: {name: flask, state: upgraded}", "argument 'state' of 'pip' must be one of present, absent, latest, forcereinstall, not 'upgraded'"),
        ("pip: {virtualenv: /srv/venv}", "'pip' needs one of: name, requirements"),
    ])
    func aBadArgumentIsALocatedError(task: String, message: String) {
        let errors = ModuleResolutionTests.errors("    - name: t\n      \(task)\n")
        #expect(errors.contains { $0.hasPrefix("4: ") && $0.contains(message) }, "\(errors)")
    }
}
