import OrderedCollections
import SkiffCore

/// Which CI job a run came from, read from the environment the CI system sets: Jenkins (`BUILD_URL`,
/// `JOB_NAME`, `BUILD_NUMBER`), GitLab (`CI_JOB_URL`, `CI_PIPELINE_ID`, `CI_COMMIT_SHA`, `CI_PROJECT_PATH`),
/// GitHub Actions (`GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`/`GITHUB_RUN_ID`, `GITHUB_SHA`, `GITHUB_WORKFLOW`), or
/// only the generic `CI`. Nil outside CI. `actor` is the person the CI ran the job for (GitHub `GITHUB_ACTOR`,
/// GitLab `GITLAB_USER_LOGIN` or `GITLAB_USER_EMAIL`, Jenkins `BUILD_USER_ID`/`BUILD_USER` from the
/// build-user-vars plugin); `commit` the commit it built.
public enum CIContext {
    public static func current(_ environment: (String) -> String? = Environment.value) -> OrderedDictionary<String, Value>? {
        func value(_ name: String) -> String? { environment(name).flatMap { $0.isEmpty ? nil : $0 } }
        var ci = OrderedDictionary<String, Value>()
        if let url = value("BUILD_URL"), value("JENKINS_URL") != nil || value("JOB_NAME") != nil {
            ci["system"] = "jenkins"
            ci["job"] = value("JOB_NAME").map(Value.string) ?? .null
            ci["build"] = value("BUILD_NUMBER").map(Value.string) ?? .null
            ci["url"] = .string(url)
            if let commit = value("GIT_COMMIT") { ci["commit"] = .string(commit) }
            if let actor = value("BUILD_USER_ID") ?? value("BUILD_USER") { ci["actor"] = .string(actor) }
        } else if value("GITLAB_CI") != nil || value("CI_JOB_URL") != nil {
            ci["system"] = "gitlab"
            ci["job"] = .string([value("CI_PROJECT_PATH"), value("CI_JOB_NAME")].compactMap { $0 }.joined(separator: " / "))
            ci["pipeline"] = value("CI_PIPELINE_ID").map(Value.string) ?? .null
            ci["url"] = value("CI_JOB_URL").map(Value.string) ?? .null
            if let commit = value("CI_COMMIT_SHA") { ci["commit"] = .string(commit) }
            if let actor = value("GITLAB_USER_LOGIN") ?? value("GITLAB_USER_EMAIL") { ci["actor"] = .string(actor) }
        } else if value("GITHUB_ACTIONS") != nil || value("GITHUB_RUN_ID") != nil {
            ci["system"] = "github"
            ci["job"] = .string([value("GITHUB_REPOSITORY"), value("GITHUB_WORKFLOW")].compactMap { $0 }.joined(separator: " / "))
            ci["run"] = value("GITHUB_RUN_ID").map(Value.string) ?? .null
            if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"), let run = value("GITHUB_RUN_ID") {
                ci["url"] = .string("\(server)/\(repository)/actions/runs/\(run)")
            }
            if let commit = value("GITHUB_SHA") { ci["commit"] = .string(commit) }
            if let actor = value("GITHUB_ACTOR") { ci["actor"] = .string(actor) }
        } else if let flag = value("CI"), !["false", "0"].contains(flag.lowercased()) {
            ci["system"] = "ci"
        } else {
            return nil
        }
        return ci
    }

    /// A short label for lists: `JOB #BUILD`, or the URL, or the system.
    public static func label(_ ci: Value?) -> String {
        guard let ci = ci?.dictValue else { return "-" }
        let job = ci["job"]?.text ?? ""
        let number = ci["build"]?.text ?? ci["pipeline"]?.text ?? ci["run"]?.text ?? ""
        if !job.isEmpty { return number.isEmpty ? job : "\(job) #\(number)" }
        return ci["url"]?.text ?? ci["system"]?.text ?? "-"
    }
}
