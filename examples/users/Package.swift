// swift-tools-version:6.1
import PackageDescription

/// The users example: a CRUD API on SQLite through GRDB. It has a package of its own so that GRDB is
/// fetched only by those who build this example, not by every package that depends on Nozzle.
let package = Package(
    name: "users",
    dependencies: [
        .package(name: "Nozzle", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "users",
            dependencies: [
                .product(name: "NozzleFastCGI", package: "Nozzle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["api"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "NozzleRoutes", package: "Nozzle")]
        ),
    ]
)
