import ArgumentParser
import SkiffCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a secret from the environment, a file, or the terminal (echo off) — never from argv.
enum SecretInput {
    static func read(environment name: String, file: String?, prompt: String) throws -> Sensitive<String> {
        if let file {
            guard let handle = fopen(file, "r") else { throw ValidationError("cannot read \(file)") }
            defer { fclose(handle) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&buffer, 1, buffer.count, handle)
                if count == 0 { break }
                bytes += buffer[0..<count]
            }
            return Sensitive(String(decoding: bytes, as: UTF8.self).trimmingNewline())
        }
        if let value = Environment.value(name) { return Sensitive(value) }
        return try promptTerminal(prompt)
    }

    /// Asks on /dev/tty with echo turned off.
    private static func promptTerminal(_ prompt: String) throws -> Sensitive<String> {
        guard TerminalQuestion.available else {
            throw ValidationError("\(prompt.trimmingCharacters()) is needed, but there is no terminal to ask on")
        }
        return Sensitive(TerminalQuestion.ask(prompt, echo: false) ?? "")
    }
}

extension String {
    func trimmingNewline() -> String {
        var result = Substring(self)
        while result.last == "\n" || result.last == "\r" { result = result.dropLast() }
        return String(result)
    }

    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " || $0 == ":" }).reversed())
    }
}
