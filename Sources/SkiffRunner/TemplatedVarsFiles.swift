#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffCore
import SkiffPlaybook
import SkiffTemplate

extension PlaybookRunner {
    /// `vars_files` entries whose names hold a template (`vars/{{ stage }}.yml`): the loader reads the others;
    /// these are rendered when the play starts, with what its hosts know before any task (extra vars, play
    /// vars, inventory vars), read as the loader reads vars files (vault included), and added to the play's
    /// vars-file variables. A name that renders to a different file per host is refused, located: Skiff
    /// reads one set of vars files per play.
    func readingTemplatedVarsFiles(of play: Play, playbook: Playbook, hosts: [String], states: HostStates) throws -> Play {
        let templated = play.varsFiles.filter(Template.isTemplated)
        guard !templated.isEmpty, !hosts.isEmpty else { return play }
        let variables = hostVariables(play, playbook: playbook, hosts: hosts, states: states)
        var play = play
        for path in templated {
            var names = Set<String>()
            do {
                let template = try Template(path, file: play.location.file, location: play.location)
                for host in hosts { names.insert(try template.render(variables.context(for: host))) }
            } catch let error as TemplateError {
                throw TemplateError("vars_files '\(path)': \(error.message)", at: play.location)
            }
            guard names.count == 1, let name = names.first else {
                throw TemplateError("vars_files '\(path)' names a different file per host (\(names.sorted().joined(separator: ", "))); "
                                    + "Skiff reads one set of vars files per play", at: play.location)
            }
            let resolved = name.hasPrefix("/") ? name : "\(play.directory)/\(name)"
            do {
                play.varsFromFiles.merge(try VariablesFile.read(resolved)) { $1 }
            } catch {
                throw TemplateError("vars file '\(name)' (from '\(path)'): \(error)", at: play.location)
            }
        }
        return play
    }
}
