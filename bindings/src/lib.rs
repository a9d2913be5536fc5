uniffi::setup_scaffolding!("aktiver");
