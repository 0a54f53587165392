import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's threading, set once per process: every product wai makes is called from its own
/// workers (one per core), so OpenBLAS runs each call on the calling thread.
package enum BLASThreading {
    /// Also stops OpenBLAS's thread pool (`blas_thread_shutdown_`, what OpenBLAS itself calls
    /// before a fork): its threads start with the library and spin, yielding, for about 2^28
    /// cycles waiting for work, which on a 2-core machine takes a core from the workers.
    private static let configured: Void = {
        openblas_set_num_threads(1)
        typealias Shutdown = @convention(c) () -> Int32
        if let symbol = dlsym(nil, "blas_thread_shutdown_") { _ = unsafeBitCast(symbol, to: Shutdown.self)() }
    }()

    package static func configure() { _ = configured }
}
