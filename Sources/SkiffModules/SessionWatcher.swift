import SkiffCore

/// Cleanup on the host that does not depend on the controller: a process started beside a deploy's run
/// directory waits for the SSH session that made the directory to end; if the directory is still there
/// then (the controller was killed, even with `kill -9`, or the connection was lost before the deploy's
/// own cleanup), it logs out of the registry and removes the directory, credential and compose files
/// included. When the deploy's cleanup removes the directory first, the watcher just ends.
public enum SessionWatcher {
    /// Shell text that starts the watcher in the background, detached from the command's output (so the
    /// command ends at once) and from hang-up and interrupt signals. The session is the nearest `sshd`
    /// process above the command; without one (a local connection) no watcher is started.
    static func start(runDirectory: String, dockerConfig: String, logout: String?) -> String {
        let directory = ShellQuote.quote(runDirectory)
        let logoutLine = logout.map { "DOCKER_CONFIG=\(ShellQuote.quote(dockerConfig)) sh -c \(ShellQuote.quote($0))" } ?? "true"
        return whenSessionEnds(whileThere: directory, run: "\(logoutLine); rm -rf -- \(directory)")
    }

    /// Shell text that starts, in the background, a process that waits while `path` (quoted shell text)
    /// exists and the SSH session lives; when the session has ended and `path` is still there, it runs
    /// `action` (shell text). The deploy lock uses it too: a run whose controller died gives its locks back.
    /// `found` (shell text) runs once the session is known, with its process id in `$session`; the action
    /// sees `$session` too.
    public static func whenSessionEnds(whileThere path: String, run action: String, found: String = "true") -> String {
        """
            session=$$
            while [ "$session" -gt 1 ]; do
              case "$(cat /proc/$session/comm 2>/dev/null)" in sshd*) break ;; esac
              session=$(sed 's/.*) //' /proc/$session/stat 2>/dev/null | cut -d' ' -f2)
              [ -n "$session" ] || session=1
            done
            if [ "$session" -gt 1 ]; then
              \(found)
              ( trap '' HUP INT TERM PIPE
                while [ -e \(path) ] && [ -d /proc/$session ]; do sleep 1; done
                if [ -e \(path) ]; then \(action); fi
              ) </dev/null >/dev/null 2>&1 &
            fi
            true
            """
    }
}
