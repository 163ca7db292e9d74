import OrderedCollections
import SkiffCore
import SkiffModules

/// The deploy lock on a host: the directory `~/.skiff/lock` (made with `mkdir`, which is atomic) holding
/// `info.json` about its holder (run id, operator, controller host and pid, CI job, playbook, time). The
/// file's modification time is the heartbeat; a lock whose heartbeat is older than the TTL is stale.
/// Ages are measured with the host's own clock, so controllers with skewed clocks agree.
///
/// A freeze (`skiff lock acquire -m REASON`) is a lock no run holds: its `info.json` says `frozen` and
/// why, and the file `frozen` beside it holds its own TTL in seconds (`never`: it stays until thawed).
/// Deploys are refused while it stands; `--break-stale-locks` breaks it only once its own TTL has passed.
public enum DeployLock {
    public struct Holder: Sendable, Equatable {
        /// Seconds since the holder's last heartbeat.
        public var age: Int
        public var info: OrderedDictionary<String, Value>

        /// Deploys are frozen on the host (`skiff lock acquire`).
        public var isFrozen: Bool { info["frozen"]?.isTrue ?? false }

        /// Stale: its heartbeat is older than `ttlSeconds`; a freeze, once its own TTL (if it has one) passed.
        public func isStale(ttlSeconds: Int) -> Bool {
            guard isFrozen else { return age > ttlSeconds }
            guard case .int(let own)? = info["ttl"] else { return false }
            return age > own
        }

        public var description: String {
            if isFrozen {
                let reason = info["reason"]?.text ?? ""
                let who = info["operator"]?.text ?? "?"
                let since = info["time"]?.text ?? "?"
                let expiry: String
                if case .int(let ttl)? = info["ttl"] { expiry = ", for \(ttl) s" } else { expiry = "" }
                return "a freeze by \(who) (\(Value.string(reason).json)), since \(since)\(expiry)"
            }
            let run = info["run"]?.text ?? "?"
            let who = info["operator"]?.text ?? "?"
            let job = info["ci_job"]?.text ?? ""
            let ci = job.isEmpty ? "" : " (CI: \(job))"
            let since = info["time"]?.text ?? "?"
            return "run \(run) by \(who)\(ci), since \(since), heartbeat \(age) s ago"
        }
    }

    public enum Attempt: Sendable, Equatable {
        case acquired
        /// A stale lock was removed and this run took it.
        case broke(Holder)
        case held(Holder)
    }

    static let lock = "\"$HOME/.skiff/lock\""

    /// A claim to break a stale lock older than this many seconds was left by a breaker that died.
    static let abandonedClaimSeconds = 30

    /// Takes the lock unless someone holds it; with `breakStale`, breaks a lock older than `ttl` first.
    /// The holder's information arrives on stdin.
    ///
    /// Breaking is safe against other breakers: a run claims the stale lock by creating `breaking` inside
    /// it (`mkdir`, atomic: one run wins per lock), checks again under its claim that the lock is still
    /// stale, and puts its own `info.json` in place (a rename, atomic) before giving up the claim. The lock
    /// directory never goes away in between, so no other run can take it then; a run whose claim fails
    /// waits a second and answers with the lock's holder by then (the breaker, as a rule). The old holder,
    /// if it is alive after all, no longer finds its run id there, so it neither refreshes nor removes it.
    ///
    /// A breaker holds its claim for a fraction of a second, so a claim older than
    /// `abandonedClaimSeconds` was left by one that died mid-break (killed, or its connection lost); it
    /// does not keep the lock from being broken for ever. A run takes it over by creating `breaking` inside
    /// it, from within its directory, so that a newer claim made at the same path meanwhile is never taken
    /// for it (`mkdir` again: one run wins per claim), and goes on as above; the run holding the innermost
    /// claim removes them all when it is done. Only a breaker stopped mid-break for longer than that bound
    /// (a suspended host) could meet a second one.
    ///
    /// Once the lock is this run's, a watcher on the host gives it back when the run's SSH session ends
    /// with the lock still held (the controller was killed, even with `kill -9`, or stopped at once by a
    /// second signal, or the connection was lost): a dead run leaves no lock behind.
    public static func acquire(info: String, run: String, ttlSeconds: Int, breakStale: Bool) -> RemoteStep {
        let watch = watcher(run: run)
        return RemoteStep(.shell("""
            umask 077; lock=\(lock)
            [ -d "$HOME/.skiff" ] || mkdir -p "$HOME/.skiff" || exit 3
            info=; IFS= read -r info || [ -n "$info" ] || exit 3
            watch() {
            \(watch)
            }
            if mkdir "$lock" 2>/dev/null; then printf '%s\\n' "$info" > "$lock/info.json"; watch; echo acquired; exit 0; fi
            beat=$(stat -c %Y "$lock/info.json" 2>/dev/null || stat -c %Y "$lock" 2>/dev/null || date +%s)
            age=$(( $(date +%s) - beat ))
            # A freeze has its own TTL (`never`: it is never stale).
            stale() { ttl=$(cat "$lock/frozen" 2>/dev/null) || ttl=\(ttlSeconds); case "$ttl" in ''|*[!0-9]*) return 1 ;; esac; [ "$age" -gt "$ttl" ]; }
            # Claims the lock for breaking: `breaking` in it, or, if the innermost claim there is older than
            # \(abandonedClaimSeconds) s (its breaker died), `breaking` inside that one, made from within it.
            claim() {
                mkdir "$lock/breaking" 2>/dev/null && return 0
                (
                    cd -P "$lock/breaking" 2>/dev/null || exit 1
                    depth=0; while [ "$depth" -lt 64 ] && cd -P ./breaking 2>/dev/null; do depth=$((depth + 1)); done
                    made=$(stat -c %Y . 2>/dev/null) || exit 1
                    [ $(( $(date +%s) - made )) -gt \(abandonedClaimSeconds) ] && mkdir breaking 2>/dev/null
                )
            }
            if [ \(breakStale ? 1 : 0) = 1 ] && stale; then
                if claim; then
                    beat=$(stat -c %Y "$lock/info.json" 2>/dev/null || echo "$beat")
                    age=$(( $(date +%s) - beat ))
                    if stale; then
                        old=$(cat "$lock/info.json" 2>/dev/null)
                        if printf '%s\\n' "$info" > "$lock/info.new" && mv -f "$lock/info.new" "$lock/info.json"; then
                            rm -rf "$lock/frozen" "$lock/breaking"; watch; echo "broke $age"; printf '%s\\n' "$old"; exit 0
                        fi
                    fi
                    rm -rf "$lock/breaking"
                else
                    # Another run is breaking this lock: answer with the lock it takes.
                    sleep 1
                fi
                beat=$(stat -c %Y "$lock/info.json" 2>/dev/null || date +%s)
                age=$(( $(date +%s) - beat ))
            fi
            echo "held $age"; cat "$lock/info.json" 2>/dev/null; exit 0
            """), stdin: Sensitive(Array(info.utf8)))
    }

    /// Freezes deploys on the host (`skiff lock acquire`): takes the lock for no run, with `info` saying
    /// `frozen`, who and why, and the freeze's own TTL (nil: it stays until `skiff lock release`). No
    /// watcher: a freeze outlives the session that made it. Answers as `acquire` does (`parse`).
    public static func freeze(info: String, ttlSeconds: Int?) -> RemoteStep {
        RemoteStep(.shell("""
            umask 077; lock=\(lock)
            mkdir -p "$HOME/.skiff" || exit 3
            info=$(cat)
            if mkdir "$lock" 2>/dev/null; then
                if printf '%s\\n' \(ttlSeconds.map(String.init) ?? "never") > "$lock/frozen" && printf '%s\\n' "$info" > "$lock/info.json"; then echo acquired; exit 0; fi
                rm -rf "$lock"; exit 3
            fi
            echo "held $(( $(date +%s) - $(stat -c %Y "$lock/info.json" 2>/dev/null || stat -c %Y "$lock") ))"; cat "$lock/info.json" 2>/dev/null; exit 0
            """), stdin: Sensitive(Array(info.utf8)))
    }

    public static func parse(_ result: CommandResult) throws -> Attempt {
        guard result.succeeded else {
            throw ModuleError("cannot take the deploy lock ~/.skiff/lock: \(result.stderrText.trimmingCharacters(in: " \n"))")
        }
        let lines = result.stdoutText.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let words = (lines.first ?? "").split(separator: " ")
        let holder = Holder(age: words.count > 1 ? Int(words[1]) ?? 0 : 0,
                            info: (lines.count > 1 ? (try? JSONParser.parse(lines[1]))?.dictValue : nil) ?? [:])
        switch words.first {
        case "acquired": return .acquired
        case "broke": return .broke(holder)
        case "held": return .held(holder)
        default: throw ModuleError("unexpected answer from the deploy lock: \(result.stdoutText.prefix(200))")
        }
    }

    /// The watcher that gives the lock back when the session holding it ends: the lock names its session
    /// (`session`), so after `meta: reset_connection` the new session adopts it and the old one's watcher
    /// leaves it alone.
    private static func watcher(run: String) -> String {
        SessionWatcher.whenSessionEnds(
            whileThere: "\"$lock\"",
            run: "if [ \"$(cat \"$lock/session\" 2>/dev/null)\" = \"$session\" ]; then \(releaseScript(run: run)); fi",
            found: "info=; read -r info 2>/dev/null <\"$lock/info.json\"; case \"$info\" in *\(ShellQuote.quote(run))*) printf '%s\\n' \"$session\" >\"$lock/session\" ;; esac")
    }

    /// Makes a new connection's session the holder of this run's lock (after `meta: reset_connection`).
    public static func adopt(run: String) -> RemoteStep {
        RemoteStep(.shell("""
            umask 077; lock=\(lock)
            watch() {
            \(watcher(run: run))
            }
            if \(holds(run)); then watch; echo adopted; fi; true
            """))
    }

    /// Refreshes the heartbeat, if the lock is still this run's.
    public static func heartbeat(run: String) -> RemoteStep {
        RemoteStep(.shell("lock=\(lock); \(holds(run)) && touch \"$lock/info.json\"; true"))
    }

    /// Removes the lock if it is still this run's.
    public static func release(run: String) -> RemoteStep {
        RemoteStep(.shell("lock=\(lock); \(releaseScript(run: run))"))
    }

    private static func releaseScript(run: String) -> String {
        "if \(holds(run)); then rm -rf \"$lock\" && echo released; fi; true"
    }

    /// Shell text, true when the lock's `info.json` (one line) names `run`: read with builtins, no `grep`.
    private static func holds(_ run: String) -> String {
        "{ held=; IFS= read -r held <\"$lock/info.json\"; } 2>/dev/null; case \"$held\" in *\(ShellQuote.quote(run))*) true ;; *) false ;; esac"
    }

    /// The holder, or "free".
    public static func status() -> RemoteStep {
        RemoteStep(.shell("""
            lock=\(lock)
            if [ -d "$lock" ]; then echo "held $(( $(date +%s) - $(stat -c %Y "$lock/info.json" 2>/dev/null || stat -c %Y "$lock") ))"; cat "$lock/info.json" 2>/dev/null; else echo free; fi
            """))
    }

    /// Removes whatever lock is there (`skiff lock release`), printing what it held.
    public static func forceRelease() -> RemoteStep {
        RemoteStep(.shell("""
            lock=\(lock)
            if [ -d "$lock" ]; then echo "held $(( $(date +%s) - $(stat -c %Y "$lock/info.json" 2>/dev/null || stat -c %Y "$lock") ))"; cat "$lock/info.json" 2>/dev/null; rm -rf "$lock"; else echo free; fi
            """))
    }

    /// The holder from `status`/`forceRelease` output (nil: free).
    public static func holder(_ result: CommandResult) -> Holder? {
        guard result.stdoutText.hasPrefix("held") else { return nil }
        if case .held(let holder)? = try? parse(result) { return holder }
        return nil
    }
}
