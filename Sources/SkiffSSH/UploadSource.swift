import SkiffCore

/// What to upload: bytes in memory (secret by default) or a local file read in chunks.
public enum UploadSource: Sendable {
    case bytes(Sensitive<[UInt8]>)
    case file(path: String)
}
