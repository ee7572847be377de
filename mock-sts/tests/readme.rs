//! The README's CI snippets are the files the interop suite runs, verbatim.

#[test]
fn readme_carries_every_interop_snippet_verbatim() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let snippets = root.join("tests/interop/snippets");
    let mut count = 0;
    for entry in std::fs::read_dir(&snippets).unwrap() {
        let path = entry.unwrap().path();
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("py") => "python",
            Some("mjs") => "js",
            _ => continue,
        };
        {
            let snippet = std::fs::read_to_string(&path).unwrap();
            let block = format!("```{language}\n{snippet}```");
            assert!(
                readme.contains(&block),
                "README.md lacks {} verbatim",
                path.display()
            );
            count += 1;
        }
    }
    assert!(
        count >= 3,
        "expected the MSAL and PyJWT snippets, found {count}"
    );
}

/// The one line the README gives a CI job is the line the examples' CI job runs (`.ci/run` runs it).
#[test]
fn the_documented_ci_start_is_the_one_the_examples_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let job = std::fs::read_to_string(root.join("../examples/mock-sts/run.sh")).unwrap();
    let line = "mock-sts --tls --detach > mock-sts.env";
    assert!(readme.contains(&format!("```sh\n{line}")), "README");
    assert!(job.lines().any(|l| l == line), "examples/mock-sts/run.sh");
    let gitlab = std::fs::read_to_string(root.join("../examples/mock-sts/gitlab-ci.yml")).unwrap();
    assert!(gitlab.contains(&format!("- {line}")), "gitlab-ci.yml");
}
