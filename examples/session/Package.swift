// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "session",
    dependencies: [
        .package(name: "Nozzle", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "session",
            dependencies: [
                .product(name: "NozzleFastCGI", package: "Nozzle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["api"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "NozzleRoutes", package: "Nozzle")]
        ),
    ]
)
