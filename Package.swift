// swift-tools-version:6.0
import PackageDescription

/// Release builds on Linux link with lld (shipped with the Swift toolchain) so that a run maps as little of
/// the binary as it can (measured in bench/README.md, "The binary's code layout"):
/// - the functions everyday runs execute sit next to each other, in the order of linker/hot-functions.txt
///   (made by scripts/hot-functions). The kernel maps a binary's code in 64 KiB pieces around each page
///   used; with the hot code together, a run maps ~7 MB of code instead of ~15 MB;
/// - relative relocations are packed (DT_RELR, glibc 2.36, Debian 12): the loader reads a few KB instead
///   of 1.3 MB of relocation records at every start;
/// - the executable exports no symbols (linker/exports.map): nothing loads into it and needs them, and
///   the loader no longer maps ~0.9 MB of symbol tables.
let releaseLayout: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linker/hot-functions.txt",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--version-script=\(Context.packageDirectory)/linker/exports.map",
        ],
        .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
        .library(name: "SkiffSSH", targets: ["SkiffSSH"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        /// libssh2 from the system (Debian: libssh2-1-dev), with a shim for what Swift cannot import.
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        /// libyaml from the system (Debian: libyaml-dev): the YAML parser SkiffYAML composes documents with.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        /// libpq's header from the system (Debian: libpq-dev): the PostgreSQL client the shared audit store
        /// uses, loaded with dlopen when the store is first used (Debian: libpq5), not linked.
        .systemLibrary(
            name: "CLibPQ",
            providers: [.apt(["libpq-dev"])]
        ),
        /// Value types every Skiff target shares: secrets, shell quoting, command results, variable values.
        .target(
            name: "SkiffCore",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")]
        ),
        /// The SSH transport: connect, host-key check, authenticate, exec, SFTP upload, keepalive.
        .target(
            name: "SkiffSSH",
            dependencies: [
                "SkiffCore", "CLibSSH2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        /// Ansible Vault 1.1/1.2 (AES256): the envelope, the cipher and the passwords a run was given.
        .target(
            name: "SkiffVault",
            dependencies: [
                "SkiffCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        /// YAML (through libyaml) to `Value`, with YAML 1.1 scalars as Ansible reads them and source
        /// locations; whole vault files and inline `!vault` values decrypted.
        .target(
            name: "SkiffYAML",
            dependencies: ["SkiffCore", "SkiffVault", "CLibYAML", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        /// Ansible-compatible inventories: INI and YAML, host ranges, groups and their variables, host patterns.
        .target(
            name: "SkiffInventory",
            dependencies: [
                "SkiffCore", "SkiffYAML",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        /// The Jinja2 subset playbooks use: `{{ }}` interpolation, expressions, filters, tests, lookups,
        /// and `{% if/for/set %}` in template files. Undefined variables are errors with a location.
        .target(
            name: "SkiffTemplate",
            dependencies: ["SkiffCore", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        /// YAML playbooks to plays, blocks, tasks and handlers with source locations; module resolution,
        /// free-form arguments, static includes; every error found before any host is contacted.
        .target(
            name: "SkiffPlaybook",
            dependencies: [
                "SkiffCore", "SkiffYAML", "SkiffTemplate", "SkiffModules",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        /// One file per module: task arguments to the commands and uploads that do the work, as pure data.
        .target(
            name: "SkiffModules",
            dependencies: [
                "SkiffCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        /// The audit log: hash-chained JSON lines, appended under a lock and fsynced; secrets fingerprinted;
        /// verification and the history queries (list, show, where) over one or several logs.
        .target(
            name: "SkiffAudit",
            dependencies: [
                "SkiffCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        /// The shared audit store in PostgreSQL (`--audit-url`): the same records as the file, one chain for
        /// every controller, appended in transactions that lock the chain's head.
        .target(
            name: "SkiffAuditStore",
            dependencies: ["SkiffCore", "SkiffAudit", "CLibPQ", .product(name: "OrderedCollections", package: "swift-collections")]
        ),
        /// Running plays: scheduling, failure policy, handlers, and the variables each host sees.
        .target(
            name: "SkiffRunner",
            dependencies: [
                "SkiffCore", "SkiffInventory", "SkiffPlaybook", "SkiffTemplate", "SkiffModules",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        /// The `skiff` command-line tool.
        .executableTarget(
            name: "skiff",
            dependencies: [
                "SkiffCore", "SkiffSSH", "SkiffInventory", "SkiffPlaybook", "SkiffTemplate", "SkiffModules", "SkiffRunner",
                "SkiffYAML", "SkiffVault", "SkiffAudit", "SkiffAuditStore", .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: releaseLayout,
            plugins: ["BuildCommit"]
        ),
        /// Writes the git commit being built into the `skiff` target, for `skiff --version`.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        /// Starts real OpenSSH `sshd` test hosts on loopback, with the `docker` shim.
        .target(name: "SkiffTestSupport", dependencies: ["SkiffCore"], path: "Tests/SkiffTestSupport"),
        .testTarget(name: "SkiffCoreTests", dependencies: ["SkiffCore", "SkiffTestSupport"]),
        .testTarget(name: "SkiffTemplateTests", dependencies: ["SkiffTemplate", "SkiffCore"]),
        .testTarget(name: "SkiffModulesTests", dependencies: ["SkiffModules", "SkiffCore"]),
        .testTarget(name: "SkiffAuditTests", dependencies: ["SkiffAudit", "SkiffCore", "SkiffTestSupport"]),
        .testTarget(
            name: "SkiffRunnerTests",
            dependencies: ["SkiffRunner", "SkiffInventory", "SkiffPlaybook", "SkiffTemplate", "SkiffCore"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SkiffPlaybookTests",
            dependencies: ["SkiffPlaybook", "SkiffModules", "SkiffYAML", "SkiffVault", "SkiffCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SkiffInventoryTests",
            dependencies: ["SkiffInventory", "SkiffCore", .product(name: "OrderedCollections", package: "swift-collections")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SkiffSSHTests",
            dependencies: ["SkiffSSH", "SkiffCore", "SkiffTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "OrderedCollections", package: "swift-collections")],
            // The cross-check playbooks and ansible-core's recorded answers, read from the source tree.
            exclude: ["Fixtures"]
        ),
        /// The release: `make dist`'s .deb installed into a clean Debian 12 root, and the docs/ci deploy jobs.
        .testTarget(name: "SkiffDistTests", dependencies: ["SkiffTestSupport", "Yams"]),
    ],
    swiftLanguageModes: [.v6]
)
