/// Unpredictable names: markers of running commands, temporary files and directories on hosts.
public enum RandomToken {
    /// 64 random bits (the system's cryptographic generator, one `getrandom` call) as 16 hex digits.
    public static func hex64() -> String {
        let digits = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// 128 random bits as 32 hex digits: for directories that live as long as a deploy.
    public static func hex128() -> String { hex64() + hex64() }
}
