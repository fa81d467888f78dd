//! Compiles `proto/` with protox (a protobuf compiler in Rust: no `protoc` needed) and generates
//! the gRPC server and client with tonic.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = protox::compile(["orgcells/topology/v1/topology.proto"], ["proto"])?;
    tonic_prost_build::configure().compile_fds(files)?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
