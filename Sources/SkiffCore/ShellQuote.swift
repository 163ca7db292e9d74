/// The one place where an argv becomes a POSIX shell command line.
///
/// Every other part of Skiff passes `[String]`; a remote command string is only ever built here,
/// so a value such as `1.0; touch /tmp/pwned` stays one word.
public enum ShellQuote {
    /// Quotes one word for a POSIX shell: unchanged when it is made of safe characters only,
    /// otherwise wrapped in single quotes with each embedded `'` written as `'\''`.
    public static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        if word.utf8.allSatisfy(isSafe) { return word }
        // Byte by byte: commands (deploy-lock scripts, command lines quoted again for the remote shell)
        // are quoted for every host and task.
        var quoted: [UInt8] = []
        quoted.reserveCapacity(word.utf8.count + 8)
        quoted.append(UInt8(ascii: "'"))
        for byte in word.utf8 {
            if byte == UInt8(ascii: "'") {
                quoted.append(contentsOf: [UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "'")])
            } else {
                quoted.append(byte)
            }
        }
        quoted.append(UInt8(ascii: "'"))
        return String(decoding: quoted, as: UTF8.self)
    }

    /// Joins an argv into one command line whose words the shell splits back exactly.
    public static func join(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// Every byte as a `\ooo` escape for a `printf` format (a shell builtin: the bytes then appear on no
    /// command line, and no byte is special to the shell or to printf).
    public static func octalEscapes(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 4)
        for byte in bytes {
            text.append(UInt8(ascii: "\\"))
            text.append(UInt8(ascii: "0") + byte >> 6)
            text.append(UInt8(ascii: "0") + (byte >> 3) & 7)
            text.append(UInt8(ascii: "0") + byte & 7)
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"),
            UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: ","),
            UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }
}
