import Foundation
import SkiffCore
@testable import SkiffPlaybook
import Testing

/// Bad arguments to the community.docker modules are errors when the playbook loads, at the module's line.
@Suite("docker module arguments, checked when the playbook loads")
struct DockerModuleArgumentTests {
    @Test(arguments: [
        ("community.docker.docker_container: {name: app, state: runing}", "argument 'state' of 'docker_container' must be one of absent, present, stopped, started, not 'runing'"),
        ("community.docker.docker_container: {image: app}", "'docker_container' needs the argument 'name'"),
        ("community.docker.docker_container: {name: app, restart_policy: sometimes}", "argument 'restart_policy' of 'docker_container' must be one of"),
        ("community.docker.docker_image: {name: app, source: fetch}", "argument 'source' of 'docker_image' must be one of pull, load, local, build, not 'fetch'"),
        ("community.docker.docker_image: {name: app, source: build}", "'docker_image' needs the argument 'build' with source: build"),
        ("community.docker.docker_image: {name: app, source: load}", "'docker_image' needs the argument 'load_path' with source: load"),
        ("community.docker.docker_image: {name: app, load_path: /tmp/a.tar}", "'docker_image' needs the argument 'source' with 'load_path'"),
        ("community.docker.docker_network: {name: n, state: gone}", "argument 'state' of 'docker_network' must be one of present, absent"),
        ("community.docker.docker_compose: {project_src: /srv, stopped: true, restarted: true}", "'docker_compose' takes only one of: stopped, restarted"),
        ("community.docker.docker_compose: {project_src: /srv, recreate: auto}", "argument 'recreate' of 'docker_compose' must be one of always, never, smart"),
        ("community.docker.docker_compose_v2: {project_src: /srv, remove_images: some}", "argument 'remove_images' of 'docker_compose_v2' must be one of all, local"),
        ("community.docker.docker_compose_v2: {project_src: /srv, build: sometimes}", "argument 'build' of 'docker_compose_v2' must be one of always, never, policy"),
    ])
    func aBadArgumentIsALocatedError(task: String, message: String) {
        let errors = ModuleResolutionTests.errors("    - name: t\n      \(task)\n")
        #expect(errors.contains { $0.hasPrefix("4: ") && $0.contains(message) }, "\(errors)")
    }
}
