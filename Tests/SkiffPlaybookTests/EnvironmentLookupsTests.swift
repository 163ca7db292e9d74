import SkiffCore
import SkiffPlaybook
import Testing

@Suite("environment variables a playbook looks up")
struct EnvironmentLookupsTests {
    @Test func literalNamesInLookupAndQueryFormsAreFound() {
        let value: Value = .dict([
            "a": "{{ lookup('env', 'REGISTRY_PASSWORD') }}",
            "b": .list(["{{ lookup(\"ansible.builtin.env\", \"API_TOKEN\", 'HOME') | default('') }}", "{{ query('env','CI_JOB_TOKEN') }}"]),
            "c": "{{ q( 'env' ,'DB_PASS') ~ lookup('file', 'x') }}",
            "d": "{{ lookup('env', some_name) }} {{ environment }}",
        ])
        #expect(EnvironmentLookups.names(in: value) == ["REGISTRY_PASSWORD", "API_TOKEN", "HOME", "CI_JOB_TOKEN", "DB_PASS"])
    }
}
