import Foundation
import SkiffSSH
import Testing

@Suite("known_hosts parsing and matching")
struct KnownHostsParsingTests {
    static let key = HostKey(type: "ssh-ed25519", blob: sshString("ssh-ed25519") + sshString(Array(repeating: 7, count: 32)))
    static let other = HostKey(type: "ssh-ed25519", blob: sshString("ssh-ed25519") + sshString(Array(repeating: 9, count: 32)))

    static func sshString(_ text: String) -> [UInt8] { sshString(Array(text.utf8)) }
    static func sshString(_ bytes: [UInt8]) -> [UInt8] {
        let count = UInt32(bytes.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)] + bytes
    }

    func knownHosts(_ lines: [String]) -> KnownHosts {
        let entries = lines.enumerated().compactMap {
            KnownHostsEntry.parse(Substring($0.element), file: "kh", line: $0.offset + 1)
        }
        return KnownHosts(files: ["kh"], entries: entries)
    }

    @Test func wildcardsNegationsAndHostLists() {
        let hosts = knownHosts(["web*.example.com,!web3.example.com,db.example.com ssh-ed25519 \(Self.key.base64)"])
        #expect(hosts.verify(host: "web1.example.com", port: 22, key: Self.key) != .unknown)
        #expect(hosts.verify(host: "db.example.com", port: 22, key: Self.key) != .unknown)
        #expect(hosts.verify(host: "web3.example.com", port: 22, key: Self.key) == .unknown)
        #expect(hosts.verify(host: "mail.example.com", port: 22, key: Self.key) == .unknown)
        #expect(hosts.verify(host: "WEB2.example.com", port: 22, key: Self.key) != .unknown, "names are case-insensitive")
    }

    @Test func aLineThatCannotBeParsedDoesNotEndTheFile() {
        let hosts = knownHosts([
            "garbage without enough fields",
            "host1 ssh-ed25519 not-base64!!!",
            "@unknown-marker host1 ssh-ed25519 \(Self.key.base64)",
            "host1 ssh-ed25519 \(Self.key.base64)",
        ])
        guard case .trusted(let entry) = hosts.verify(host: "host1", port: 22, key: Self.key) else {
            Issue.record("the valid line after unparseable ones was not used")
            return
        }
        #expect(entry.line == 4)
    }

    @Test func aDifferentKeyForAKnownHostIsAChangeAndRevocationWins() {
        let hosts = knownHosts(["host1 ssh-ed25519 \(Self.other.base64)", "@revoked * ssh-ed25519 \(Self.key.base64)"])
        #expect(hosts.verify(host: "host1", port: 22, key: Self.other) != .unknown)
        if case .revoked(let entry) = hosts.verify(host: "host1", port: 22, key: Self.key) {
            #expect(entry.line == 2)
        } else {
            Issue.record("a revoked key was not reported as revoked")
        }
        let changed = knownHosts(["host1 ssh-ed25519 \(Self.other.base64)"]).verify(host: "host1", port: 22, key: Self.key)
        guard case .changed(let expected) = changed else {
            Issue.record("expected a changed key, got \(changed)")
            return
        }
        #expect(expected.map(\.line) == [1])
    }

    @Test func nonStandardPortsUseTheBracketForm() {
        let hosts = knownHosts(["[host1]:2222 ssh-ed25519 \(Self.key.base64)"])
        #expect(hosts.verify(host: "host1", port: 2222, key: Self.key) != .unknown)
        #expect(hosts.verify(host: "host1", port: 22, key: Self.key) == .unknown)
        #expect(KnownHostsEntry.lookupName(host: "h", port: 22) == "h")
        #expect(KnownHostsEntry.lookupName(host: "h", port: 2222) == "[h]:2222")
    }

    @Test func plainNamesAndWildcardsAreFoundTogetherInFileOrder() throws {
        // A fleet-sized file: plain names are looked up by name, the rest are tested line by line;
        // what a host gets back is every entry naming it, in the order of the file.
        var lines = (1...300).map { "[app\($0)]:2222,App\($0)-Alias ssh-ed25519 \(Self.other.base64)" }
        lines.insert("*.example.com,!db.example.com ssh-ed25519 \(Self.key.base64)", at: 10)
        lines.append("[APP7]:2222 ssh-ed25519 \(Self.key.base64)")
        lines.append("@cert-authority [app7]:2222 ssh-ed25519 \(Self.key.base64)")
        let hosts = knownHosts(lines)
        let app7 = hosts.keys(for: "app7", port: 2222)
        #expect(app7.map(\.line) == [7, 302], "both entries for app7, file order, the CA line left out")
        #expect(hosts.keys(for: "app7-alias", port: 22).map(\.line) == [7])
        #expect(hosts.keys(for: "web.example.com", port: 22).map(\.line) == [11])
        #expect(hosts.keys(for: "db.example.com", port: 22).isEmpty)
        #expect(hosts.verify(host: "app7", port: 2222, key: Self.key) != .unknown)
        #expect(hosts.verify(host: "app301", port: 2222, key: Self.key) == .unknown)
    }
}
