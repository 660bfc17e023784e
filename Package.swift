// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ceptoar",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ceptoar", targets: ["ceptoar"]),
        .library(name: "CeptoarKit", targets: ["CeptoarKit"]),
        .library(name: "CeptoarApp", targets: ["CeptoarApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
    ],
    targets: [
        // Domain rules, formats and standards: no web framework, fast to build and test.
        .target(
            name: "CeptoarKit",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            resources: [.copy("Resources/seed")]
        ),
        // The Vapor application: configuration, models, migrations, controllers, commands.
        .target(
            name: "CeptoarApp",
            dependencies: [
                "CeptoarKit",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "ceptoar",
            dependencies: [
                "CeptoarApp",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CeptoarKitTests",
            dependencies: ["CeptoarKit"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CeptoarAppTests",
            dependencies: [
                "CeptoarApp",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
