import Foundation
import SkiffTestSupport
import Testing

/// The release as a user gets it: `make dist`'s .deb installed with apt into a clean Debian 12 root (no
/// Swift toolchain), whose skiff then deploys playbooks/deploy.yml to a real sshd test host.
///
/// Runs when dist/skiff_*_amd64.deb exists (`make dist` first) and the machine can make the root
/// (root, debootstrap, unshare; see DebianRoot); otherwise it is skipped — unless SKIFF_REQUIRE_DEB_TEST is
/// set, as CI's run does after `make dist`: then a missing package or root is a failure. apt fetches the
/// .deb's dependencies from the package mirror.
@Suite("the .deb in a clean Debian 12 root",
       .enabled(if: (ReleasePackage.deb != nil && DebianRoot.canBeMade) || ProcessInfo.processInfo.environment["SKIFF_REQUIRE_DEB_TEST"] != nil))
struct DebInstallTests {
    static let password = "deb-root-registry-password-5521"
    static let repository = ReleasePackage.repository

    @Test func installsWithItsDependenciesAndDeploysWithNoSwiftToolchain() async throws {
        let package = try #require(ReleasePackage.deb)
        let root = try await offPool { try DebianRoot.prepared() }
        let key = try TestKeys.shared.key(.ed25519)
        let host = try await TestHost.launch(.init(authorizedKeys: [key.publicKey]))
        let layers = try ScratchDirectory("deb-root")
        for directory in ["upper/deploy/playbooks", "work", "merged"] {
            try FileManager.default.createDirectory(atPath: layers.file(directory), withIntermediateDirectories: true)
        }
        // What the deploy needs, placed in the overlay's upper layer: it appears as /deploy in the root.
        try FileManager.default.copyItem(atPath: package, toPath: layers.file("upper/deploy/skiff.deb"))
        try FileManager.default.copyItem(atPath: "\(Self.repository)/playbooks/deploy.yml", toPath: layers.file("upper/deploy/playbooks/deploy.yml"))
        try FileManager.default.copyItem(atPath: "\(Self.repository)/docker-compose.yml", toPath: layers.file("upper/deploy/docker-compose.yml"))
        try layers.write("upper/deploy/id_ed25519", try String(contentsOfFile: key.privateKeyPath, encoding: .utf8), mode: 0o600)
        try layers.write("upper/deploy/hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        try layers.write("upper/deploy/known_hosts", try host.knownHostsLine() + "\n")
        try layers.write("upper/deploy/registry.env",
                         "export REGISTRY_URL=registry.example.com REGISTRY_USER=ci REGISTRY_PASSWORD=\(Self.password)\n", mode: 0o600)
        try layers.write("upper/deploy/inside.sh", Self.insideScript)

        let merged = layers.file("merged")
        let enter = [
            "set -e",
            "mount -t overlay overlay -o lowerdir=\(root),upperdir=\(layers.file("upper")),workdir=\(layers.file("work")) \(merged)",
            "mount -t proc proc \(merged)/proc",
            "mount --rbind /dev \(merged)/dev",
            "touch \(merged)/etc/resolv.conf",
            "mount --bind /etc/resolv.conf \(merged)/etc/resolv.conf",
            "exec chroot \(merged) /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/sh /deploy/inside.sh",
        ].joined(separator: "\n")
        let output = try await offPool {
            try Shell.run(["/usr/bin/unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", enter])
        }
        let sections = Self.sections(of: output)

        #expect(sections["toolchain"]?.isEmpty == true, "no Swift toolchain in the root: \(sections["toolchain"] ?? output)")
        for file in ["/usr/bin/skiff", "/usr/share/bash-completion/completions/skiff", "/usr/share/zsh/vendor-completions/_skiff",
                     "/usr/share/fish/vendor_completions.d/skiff.fish", "/usr/share/man/man1/skiff.1.gz"] {
            #expect(sections["files"]?.contains("present \(file)") == true, "\(file) installed: \(output)")
        }
        let version = sections["version"] ?? ""
        #expect(version.contains("(commit ") && !version.contains("commit unknown"), "skiff --version names its commit: \(version)")
        // The binary's relative relocations are packed (DT_RELR), which glibc reads from 2.36 on: the package
        // says so, so apt refuses an older libc6 instead of installing a binary that does not start.
        let depends = sections["depends"] ?? ""
        let glibc = try #require(depends.firstMatch(of: /libc6 \(>= (\d+)\.(\d+)\)/), "libc6 with a version: \(depends)")
        #expect((Int(glibc.1) ?? 0, Int(glibc.2) ?? 0) >= (2, 36), "\(depends)")
        #expect(sections["deploy exit"] == "0", "\(output)")
        let recap = sections["deploy"] ?? ""
        #expect(recap.contains("app1") && recap.contains(" : ok=5 ") && recap.contains("failed=0"), "\(recap)")
        #expect(!output.contains(Self.password), "the password is in no console line")
        let log = host.dockerLog
        #expect(log.contains("stdin: \(Self.password)"), "the login's password arrived on stdin: \(log)")
        #expect(log.contains("[up] [-d]") && log.contains("env: VERSION=2.0.0"), "\(log)")
    }

    /// What runs inside the root: install the .deb with its dependencies, then show what the tests check,
    /// each part after a `== NAME` line.
    static let insideScript = """
        set -e
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends /deploy/skiff.deb >/dev/null
        echo "== toolchain"
        find / -xdev \\( -name 'libswiftCore.so*' -o -name swift -o -name swiftc -o -name swift-frontend \\) -print
        echo "== files"
        for file in /usr/bin/skiff /usr/share/bash-completion/completions/skiff /usr/share/zsh/vendor-completions/_skiff \\
            /usr/share/fish/vendor_completions.d/skiff.fish /usr/share/man/man1/skiff.1.gz; do
          [ ! -f "$file" ] || echo "present $file"
        done
        echo "== version"
        skiff --version
        echo "== depends"
        dpkg-query -W -f '${Depends}\\n' skiff
        echo "== deploy"
        cd /deploy
        . ./registry.env
        status=0
        NO_COLOR=1 skiff -i hosts.ini playbooks/deploy.yml -e version=2.0.0 --private-key id_ed25519 \\
          --known-hosts known_hosts --no-agent 2>&1 || status=$?
        echo "== deploy exit"
        echo "$status"
        """

    /// The output split at its `== NAME` lines, each part trimmed.
    static func sections(of output: String) -> [String: String] {
        var sections: [String: String] = [:]
        var name: String?
        var lines: [Substring] = []
        func close() {
            if let name { sections[name] = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") {
                close()
                name = String(line.dropFirst(3))
                lines = []
            } else {
                lines.append(line)
            }
        }
        close()
        return sections
    }
}
