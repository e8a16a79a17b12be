// swift-tools-version:5.4
// The libFuzzer targets, one per parser. Run them with `fuzz/run.sh`.
//
// A package of its own, at tools version 5.4: from 5.5 on, SwiftPM links an executable with
// `--defsym main=...`, which clashes with the `main` libFuzzer brings. Each target is compiled with
// `-parse-as-library`, so its only entry point is `LLVMFuzzerTestOneInput`, and in Swift 6 mode.
import PackageDescription

let harnesses = [
    "fuzz-json", "fuzz-form", "fuzz-multipart", "fuzz-cookie", "fuzz-accept", "fuzz-content-type",
    "fuzz-forwarded-for", "fuzz-routing", "fuzz-size-limit", "fuzz-decoder", "fuzz-request",
    "fuzz-fastcgi", "fuzz-inflate", "fuzz-nested-form", "fuzz-pattern",
]

let swiftSettings: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

let package = Package(
    name: "NozzleFuzz",
    dependencies: [.package(name: "Nozzle", path: "..")],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "Nozzle", package: "Nozzle")],
            swiftSettings: swiftSettings
        ),
    ] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport", .product(name: "Nozzle", package: "Nozzle"), .product(name: "NozzleFastCGI", package: "Nozzle"),
            ],
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
