//! Whole inputs at once (`check` and `--in-place` over many files): a pool of rayon threads
//! works through a list, starting the items in list order, and the calling thread receives the
//! results in list order, each as soon as it and all before it are done, whichever finishes
//! first. So what is reported per item reads the same with one thread as with many, and a stop
//! leaves a prefix of the list started and the rest untouched.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` on each index of `0..count`, at most `threads` at once, and hands the results
/// to `report` in index order on the calling thread. No item is started once `stop()` is true.
/// Returns how many were started: the items `0..started`, every one of them reported.
pub(crate) fn for_each_ordered<T: Send>(
    count: usize,
    threads: usize,
    stop: &(dyn Fn() -> bool + Sync),
    work: &(dyn Fn(usize) -> T + Sync),
    report: &mut dyn FnMut(usize, T),
) -> usize {
    let threads = threads.min(count);
    let pool = match threads {
        0 | 1 => None,
        n => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("logscrub-file-{i}"))
            .build()
            .ok(),
    };
    // One thread, or none to be had: everything on the calling thread, as before there were
    // pools.
    let Some(pool) = pool else {
        for i in 0..count {
            if stop() {
                return i;
            }
            report(i, work(i));
        }
        return count;
    };
    let next = AtomicUsize::new(0);
    let (results, received) = crossbeam_channel::unbounded();
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let (results, next) = (results.clone(), &next);
            scope.spawn(move |_| {
                while !stop() {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count || results.send((i, work(i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);
        let mut pending = BTreeMap::new();
        let mut due = 0;
        for (i, result) in received {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&due) {
                report(due, result);
                due += 1;
            }
        }
    });
    next.load(Ordering::SeqCst).min(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    #[test]
    fn reports_in_order_whatever_finishes_first() {
        for threads in [0, 1, 2, 4, 16] {
            let mut seen = Vec::new();
            let started = for_each_ordered(
                20,
                threads,
                &|| false,
                // Later items finish first.
                &|i| {
                    std::thread::sleep(Duration::from_millis(20 - i as u64));
                    i * 10
                },
                &mut |i, result| seen.push((i, result)),
            );
            assert_eq!(started, 20, "{threads} threads");
            let want: Vec<_> = (0..20).map(|i| (i, i * 10)).collect();
            assert_eq!(seen, want, "{threads} threads");
        }
    }

    #[test]
    fn a_stop_leaves_a_reported_prefix() {
        for threads in [1, 3] {
            let stop = AtomicBool::new(false);
            let mut seen = Vec::new();
            let started = for_each_ordered(
                100,
                threads,
                &|| stop.load(Ordering::SeqCst),
                &|i| {
                    if i == 5 {
                        stop.store(true, Ordering::SeqCst);
                    }
                    i
                },
                &mut |i, _| seen.push(i),
            );
            assert!((6..=5 + threads).contains(&started), "{started}");
            assert_eq!(seen, (0..started).collect::<Vec<_>>());
        }
    }

    #[test]
    fn nothing_to_do() {
        let started = for_each_ordered(0, 4, &|| false, &|i| i, &mut |_, _| panic!());
        assert_eq!(started, 0);
    }
}
