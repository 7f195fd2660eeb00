import Atomics
import Foundation

/// Helper threads, one per extra core, that stay awake between the short parallel regions of a training step.
///
/// A BPR-MF step has three parallel regions (score margins, gradient scatter, Adam), each a few hundred microseconds.
/// Handed to Dispatch, every region first wakes a worker thread that has gone to sleep in the serial gap before it,
/// which costs tens of microseconds on the project's VM: the d = 100 epoch ran slower on two cores than on one. A
/// helper here spins for `spinTime` after each region, long enough to bridge the gaps inside a step, and only then
/// sleeps on a semaphore.
///
/// One region runs at a time: a call made while another is running (from a helper, or from another thread) runs its
/// chunks itself, one after the other. Chunks are handed out in index order by a shared counter, so which thread runs
/// a chunk varies, but what a chunk computes does not.
final class WorkerTeam: @unchecked Sendable {
    /// The team of the process: `Parallel.workers - 1` helpers.
    static let shared = WorkerTeam(helpers: Parallel.workers - 1)

    /// How long an idle helper spins before it sleeps, in nanoseconds. The d = 100 MF epoch on the project's VM took
    /// 0.46-0.50 s with no spinning, 0.44-0.47 s at 50 microseconds and 0.43-0.44 s at 250; with Dispatch 0.53-0.55 s.
    /// Spinning for 3 ms, so that a helper never sleeps within a step, gave UnKD's epoch nothing
    /// (docs/performance.md#the-worker-team-and-thread-wake-ups).
    static let spinTime: UInt64 = 250_000

    /// A helper's way to sleep: the flag says it is (about to be) waiting on the semaphore.
    private final class Sleeper: Sendable {
        let sleeping = ManagedAtomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    /// Odd while a region is open, even between regions; each region adds 2.
    private let state = ManagedAtomic<Int>(0)
    private let nextChunk = ManagedAtomic<Int>(0)
    private let finishedChunks = ManagedAtomic<Int>(0)
    /// Helpers inside the open region; the region's closure is released only when none is.
    private let active = ManagedAtomic<Int>(0)
    /// Whether a region is running (then further calls run serially).
    private let busy = ManagedAtomic<Bool>(false)
    private let sleepers: [Sleeper]
    // Written only between regions, while no helper is active; read by helpers inside a region.
    private var job: ((Int) -> Void)?
    private var chunkCount = 0

    /// A team with `helpers` helper threads. The threads hold the team, so both live as long as the process.
    init(helpers: Int) {
        sleepers = (0..<max(0, helpers)).map { _ in Sleeper() }
        for sleeper in sleepers {
            let thread = Thread { self.serve(sleeper) }
            thread.name = "unkd-worker"
            thread.start()
        }
    }

    /// Calls `body(chunk)` for every chunk in `0..<chunks`, on this thread and the helpers, and returns when all are
    /// done.
    func perform(chunks: Int, _ body: (Int) -> Void) {
        guard !sleepers.isEmpty, chunks > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            chunkCount = chunks
            nextChunk.store(0, ordering: .relaxed)
            finishedChunks.store(0, ordering: .relaxed)
            state.wrappingIncrement(ordering: .sequentiallyConsistent)  // open
            for sleeper in sleepers where sleeper.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                sleeper.wake.signal()
            }
            runChunks()
            while finishedChunks.load(ordering: .acquiring) < chunks {}
            state.wrappingIncrement(ordering: .sequentiallyConsistent)  // closed
            while active.load(ordering: .sequentiallyConsistent) > 0 {}
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Takes chunks from the shared counter until none is left.
    private func runChunks() {
        guard let job else { return }
        while true {
            let chunk = nextChunk.loadThenWrappingIncrement(ordering: .relaxed)
            if chunk >= chunkCount { return }
            job(chunk)
            finishedChunks.wrappingIncrement(ordering: .releasing)
        }
    }

    /// A helper's life: wait for a region it has not served yet, take chunks, repeat.
    private func serve(_ sleeper: Sleeper) {
        var served = 0
        while true {
            var spinStart = DispatchTime.now().uptimeNanoseconds
            var current = state.load(ordering: .acquiring)
            while current & 1 == 0 || current == served {
                if DispatchTime.now().uptimeNanoseconds - spinStart > Self.spinTime {
                    sleeper.sleeping.store(true, ordering: .sequentiallyConsistent)
                    current = state.load(ordering: .sequentiallyConsistent)
                    if current & 1 == 1 && current != served {
                        // A region opened meanwhile; if its opener already took the flag, it has signalled too.
                        if !sleeper.sleeping.exchange(false, ordering: .sequentiallyConsistent) { sleeper.wake.wait() }
                        break
                    }
                    sleeper.wake.wait()
                    spinStart = DispatchTime.now().uptimeNanoseconds
                }
                current = state.load(ordering: .acquiring)
            }
            served = current
            active.wrappingIncrement(ordering: .sequentiallyConsistent)
            if state.load(ordering: .sequentiallyConsistent) == current { runChunks() }
            active.wrappingDecrement(ordering: .sequentiallyConsistent)
        }
    }
}
