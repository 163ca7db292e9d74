import Foundation
import Testing
import Yams

/// docs/ci holds deploy jobs users copy into their CI systems: each must be valid for its system and do
/// what docs/ci/README.md says — install the .deb, run playbooks/deploy.yml, take secrets from the store.
@Suite("docs/ci examples")
struct CIExamplesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/ci").standardizedFileURL.path

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
    }

    /// The YAML document as a node tree (keys stay strings: YAML 1.1 would read GitHub's `on:` as true).
    static func yaml(_ name: String) throws -> Node {
        try #require(try Yams.compose(yaml: try text(name)), "\(name) is not empty")
    }

    static func keys(_ node: Node?) -> [String] {
        node?.mapping?.keys.compactMap(\.string) ?? []
    }

    static func value(_ node: Node?, _ key: String) -> Node? {
        node?.mapping?.first { $0.key.string == key }?.value
    }

    /// Every shell line of a job, joined.
    static func shell(_ lines: Node?) -> String {
        (lines?.sequence ?? []).compactMap(\.string).joined(separator: "\n")
    }

    static func expectDeploy(_ script: String, _ name: String) {
        #expect(script.contains("apt-get install -y -qq /tmp/skiff.deb"), "\(name) installs the .deb with its dependencies")
        #expect(script.contains("skiff -i inventory/hosts.ini playbooks/deploy.yml"), "\(name) runs the seed deploy")
        #expect(script.contains("--private-key \"$") && script.contains("--known-hosts \"$"), "\(name): key and known_hosts come from the store")
    }

    @Test func theGitHubWorkflowIsAWorkflowWhoseSecretsComeFromTheStore() throws {
        let workflow = try Self.yaml("github-actions.yml")
        #expect(Set(Self.keys(workflow)).isSuperset(of: ["name", "on", "jobs"]), "\(Self.keys(workflow))")
        let job = Self.value(Self.value(workflow, "jobs"), "deploy")
        #expect(Self.value(job, "runs-on")?.string != nil)
        let steps = try #require(Self.value(job, "steps")?.sequence)
        #expect(steps.allSatisfy { Self.value($0, "run") != nil || Self.value($0, "uses") != nil }, "each step runs or uses something")
        let script = steps.compactMap { Self.value($0, "run")?.string }.joined(separator: "\n")
        Self.expectDeploy(script, "github-actions.yml")
        let environment = steps.flatMap { Self.value($0, "env")?.mapping.map(Array.init) ?? [] }
        for secret in ["SSH_PRIVATE_KEY", "REGISTRY_PASSWORD"] {
            let given = environment.first { $0.key.string == secret }?.value.string
            #expect(given == "${{ secrets.\(secret) }}", "\(secret) from the repository's secrets: \(given ?? "missing")")
        }
    }

    @Test func theGitLabJobIsAJobWhoseSecretsAreFileVariables() throws {
        let pipeline = try Self.yaml("gitlab-ci.yml")
        let job = try #require(Self.value(pipeline, "deploy"))
        let stages = Self.value(pipeline, "stages")?.sequence?.compactMap(\.string) ?? []
        #expect(stages.contains(Self.value(job, "stage")?.string ?? "?"), "the job's stage is declared")
        #expect(Self.value(job, "image")?.string == "debian:12")
        let script = Self.shell(Self.value(job, "before_script")) + "\n" + Self.shell(Self.value(job, "script"))
        Self.expectDeploy(script, "gitlab-ci.yml")
        #expect(script.contains("--private-key \"$SSH_PRIVATE_KEY\""), "a File variable: skiff gets its path")
        let report = Self.value(Self.value(Self.value(job, "artifacts"), "reports"), "junit")?.string
        #expect(report == "skiff-junit.xml" && script.contains("--junit skiff-junit.xml"))
    }

    @Test func theJenkinsfileIsADeclarativePipeline() throws {
        let jenkinsfile = try Self.text("Jenkinsfile")
        let code = jenkinsfile.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            .joined(separator: "\n")
        #expect(code.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("pipeline {"), "declarative: the file is one pipeline block")
        #expect(code.hasSuffix("}\n") || code.hasSuffix("}"))
        let opened = code.filter { $0 == "{" }.count, closed = code.filter { $0 == "}" }.count
        #expect(opened == closed, "braces balance: \(opened) { and \(closed) }")
        for section in ["agent {", "stages {", "stage('Install Skiff') {", "stage('Deploy') {", "steps {"] {
            #expect(code.contains(section), "has \(section)")
        }
        #expect(!code.contains("node {") && !code.contains("node("), "no scripted-pipeline node blocks")
        Self.expectDeploy(code, "Jenkinsfile")
        #expect(code.contains("credentials('registry')") && code.contains("sshUserPrivateKey(credentialsId:"))
        #expect(!code.contains("sh \""), "sh steps single-quoted: Groovy must not interpolate secrets")
    }
}
