import Foundation
import SkiffTestSupport
import Testing

/// dnf/yum against stand-in `dnf` and `rpm` scripts on a real host (no rpm tools exist on this machine:
/// the scripts record their argv and answer as dnf and rpm do), and pip for real, into a virtualenv,
/// from a wheel the test builds.
@Suite("dnf and pip on a real host")
struct DnfPipModulesTests {
    /// `dnf` and `rpm` over a directory: `available` holds `NAME VERSION` lines, `installed/NAME` a version.
    static func shims(state: String) -> (dnf: String, rpm: String) {
        let dnf = """
            #!/bin/sh
            s=\(state)
            echo "$*" >> "$s/dnf.log"
            verb=; names=
            for a; do case "$a" in -*) ;; *) if [ -z "$verb" ]; then verb=$a; else names="$names $a"; fi ;; esac; done
            available() { sed -n "s/^$1 //p" "$s/available"; }
            case "$verb" in
              makecache) echo "Metadata cache created." ;;
              install|upgrade)
                for n in $names; do
                  [ -n "$(available "$n")" ] || { echo "No match for argument: $n" >&2; echo "Error: Unable to find a match: $n" >&2; exit 1; }
                done
                for n in $names; do available "$n" > "$s/installed/$n"; done
                echo "Complete!" ;;
              remove) for n in $names; do rm -f "$s/installed/$n"; done; echo "Complete!" ;;
              check-update)
                rc=0
                for n in $names; do
                  if [ -f "$s/installed/$n" ] && [ "$(cat "$s/installed/$n")" != "$(available "$n")" ]; then echo "$n.noarch $(available "$n") skiff"; rc=100; fi
                done
                exit $rc ;;
              *) echo "dnf stand-in: $verb is not scripted" >&2; exit 2 ;;
            esac

            """
        let rpm = """
            #!/bin/sh
            echo "$*" >> \(state)/rpm.log
            for a; do case "$a" in -*) ;; *) [ -f \(state)/installed/"$a" ] || exit 1 ;; esac; done
            exit 0

            """
        return (dnf, rpm)
    }

    struct Target {
        let host: TestHost
        let files: ScratchDirectory
        let run: (String, [String]) async throws -> (status: Int32, output: String)
    }

    static func target(_ label: String) async throws -> Target {
        let key = try TestKeys.shared.key(.ed25519)
        let host = try await TestHost.launch(TestHost.Configuration(authorizedKeys: [key.publicKey]))
        let files = try ScratchDirectory(label)
        let inventory = try files.write("hosts.ini", "[app]\napp1 ansible_host=127.0.0.1 ansible_port=\(host.port) ansible_user=root\n")
        let knownHosts = try files.write("known_hosts", try host.knownHostsLine() + "\n")
        return Target(host: host, files: files) { tasks, extra in
            let path = try files.write("playbook.yml", "- hosts: app\n  gather_facts: false\n  tasks:\n" + tasks)
            return try await ExecCommandTests.skiff(
                ["-i", inventory, path, "--private-key", key.privateKeyPath, "--known-hosts", knownHosts, "--no-agent"] + extra,
                environment: ["NO_COLOR": "1"])
        }
    }

    @Test func dnfAndYumInstallUpgradeAndRemoveOnlyWhatDiffers() async throws {
        let target = try await Self.target("dnf")
        let state = target.files.file("rpmdb")
        try FileManager.default.createDirectory(atPath: "\(state)/installed", withIntermediateDirectories: true)
        try "skiff-hello 1.0-1\n".write(toFile: "\(state)/available", atomically: true, encoding: .utf8)
        let (dnf, rpm) = Self.shims(state: state)
        try target.host.directory.write("bin/dnf", dnf, mode: 0o755)
        try target.host.directory.write("bin/rpm", rpm, mode: 0o755)
        let log = { (try? String(contentsOfFile: "\(state)/dnf.log", encoding: .utf8)) ?? "" }
        let version = { try? String(contentsOfFile: "\(state)/installed/skiff-hello", encoding: .utf8) }

        let install = "    - ansible.builtin.dnf: {name: skiff-hello, enablerepo: skiff, disable_gpg_check: true}\n"
        let check = try await target.run(install, ["--check"])
        #expect(check.output.contains("ok=1     changed=1 ") && version() == nil && log().isEmpty, "\(check.output)")
        let first = try await target.run(install, [])
        #expect(first.status == 0 && first.output.contains("changed=1 "), "\(first.output)")
        #expect(log() == "-y --nogpgcheck --enablerepo=skiff install skiff-hello\n")
        #expect(version() == "1.0-1\n")
        let second = try await target.run(install, [])
        #expect(second.output.contains("ok=1     changed=0 ") && log().split(separator: "\n").count == 1, "\(second.output)")

        try "skiff-hello 2.0-1\n".write(toFile: "\(state)/available", atomically: true, encoding: .utf8)
        let latest = "    - yum: {name: skiff-hello, state: latest}\n"
        let latestCheck = try await target.run(latest, ["--check"])
        #expect(latestCheck.output.contains("changed=1 ") && version() == "1.0-1\n", "\(latestCheck.output)")
        #expect(try await target.run(latest, []).output.contains("changed=1 ") && version() == "2.0-1\n")
        #expect(log().hasSuffix("-y upgrade skiff-hello\n"), "\(log())")
        #expect(try await target.run(latest, []).output.contains("ok=1     changed=0 "))

        let missing = try await target.run("    - dnf: {name: no-such-package}\n", [])
        #expect(missing.status == 2 && missing.output.contains("Failed to install some of the specified packages"), "\(missing.output)")

        let remove = "    - package: {name: skiff-hello, state: absent, use: dnf}\n"
        #expect(try await target.run(remove, []).output.contains("changed=1 ") && version() == nil)
        #expect(try await target.run(remove, []).output.contains("ok=1     changed=0 "))
    }

    /// Writes `skiff_demo-VERSION-py3-none-any.whl` (a zip: the module, METADATA, WHEEL, RECORD) into `directory`.
    static func wheel(_ version: String, in directory: String) throws {
        let script = #"""
            import base64, hashlib, sys, zipfile
            version, directory = sys.argv[1], sys.argv[2]
            info = f"skiff_demo-{version}.dist-info"
            files = {
                "skiff_demo/__init__.py": f"VERSION = {version!r}\n",
                f"{info}/METADATA": f"Metadata-Version: 2.1\nName: skiff-demo\nVersion: {version}\n",
                f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: skiff-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            }
            record = []
            for name, text in files.items():
                digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
                record.append(f"{name},sha256={digest},{len(text.encode())}")
            record.append(f"{info}/RECORD,,")
            files[f"{info}/RECORD"] = "\n".join(record) + "\n"
            with zipfile.ZipFile(f"{directory}/skiff_demo-{version}-py3-none-any.whl", "w") as wheel:
                for name, text in files.items():
                    wheel.writestr(name, text)
            """#
        try Shell.run(["/usr/bin/python3", "-c", script, version, directory])
    }

    @Test func pipInstallsAWheelIntoAVirtualenvOnce() async throws {
        let target = try await Self.target("pip")
        let wheels = target.files.file("wheels")
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        try Self.wheel("1.0", in: wheels)
        let installed = {
            try? String(contentsOfFile: target.host.pathInside("/tmp/venv/lib/python3.11/site-packages/skiff_demo/__init__.py"), encoding: .utf8)
        }
        let pip = { (state: String, name: String) in """
                - pip:
                    name: "\(name)"
                    state: \(state)
                    virtualenv: /tmp/venv
                    virtualenv_command: /usr/bin/python3 -m venv
            """ + (state == "absent" ? "\n" : "\n        extra_args: --no-index --find-links \(wheels)\n") }
        let check = try await target.run(pip("present", "skiff-demo>=1.0"), ["--check"])
        #expect(check.output.contains("ok=1     changed=1 ") && !FileManager.default.fileExists(atPath: target.host.pathInside("/tmp/venv")), "\(check.output)")
        let first = try await target.run(pip("present", "skiff-demo>=1.0"), [])
        #expect(first.status == 0 && first.output.contains("changed=1 "), "\(first.output)")
        #expect(installed() == "VERSION = '1.0'\n")
        let second = try await target.run(pip("present", "skiff-demo>=1.0"), [])
        #expect(second.output.contains("ok=1     changed=0 "), "\(second.output)")

        try Self.wheel("2.0", in: wheels)
        #expect(try await target.run(pip("present", "skiff-demo"), []).output.contains("ok=1     changed=0 "), "1.0 is installed: present is enough")
        let latest = try await target.run(pip("latest", "skiff-demo"), [])
        #expect(latest.output.contains("changed=1 ") && installed() == "VERSION = '2.0'\n", "\(latest.output)")
        #expect(try await target.run(pip("latest", "skiff-demo"), []).output.contains("ok=1     changed=0 "))

        let absentCheck = try await target.run(pip("absent", "skiff-demo"), ["--check"])
        #expect(absentCheck.output.contains("changed=1 ") && installed() != nil, "\(absentCheck.output)")
        let removed = try await target.run(pip("absent", "skiff-demo"), [])
        #expect(removed.output.contains("changed=1 ") && installed() == nil, "\(removed.output)")
        #expect(try await target.run(pip("absent", "skiff-demo"), []).output.contains("ok=1     changed=0 "))
    }
}
