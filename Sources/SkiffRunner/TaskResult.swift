import OrderedCollections
import SkiffCore
import SkiffModules

/// A task's result on a host after `changed_when`, `failed_when` and `ignore_errors` were applied.
struct TaskResult {
    var status: TaskStatus
    var outcome: ModuleOutcome
    var deployment: Deployment? = nil

    var failed: Bool { status == .failed }
}
