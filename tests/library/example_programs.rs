//! The example programs' CSV reader (`examples/common`, compiled here as they compile it):
//! its errors name the file, as the command line's do.

#[path = "../../examples/common/mod.rs"]
mod example_common;

use neuralize::load_model;

#[test]
fn the_examples_reader_names_the_file_of_a_short_row() {
    let dir =
        std::env::temp_dir().join(format!("neuralize-examples-reader-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short.csv");
    std::fs::write(
        &short,
        "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5,3,1,0.2\n5,3,1\n",
    )
    .unwrap();
    let model = load_model("models/kmeans_iris.json").unwrap();
    let error = example_common::read_features(short.to_str().unwrap(), &model).unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with(short.to_str().unwrap()), "{message}");
    assert!(message.contains("line: 3"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}
