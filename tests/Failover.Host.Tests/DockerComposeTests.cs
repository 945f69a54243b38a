using Failover.Testing;
using YamlDotNet.RepresentationModel;

namespace Failover.Host.Tests;

public sealed class DockerComposeTests
{
    private static YamlMappingNode LoadServices()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, "docker-compose.yml"));
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        return (YamlMappingNode)root.Children[new YamlScalarNode("services")];
    }

    private static IEnumerable<(string Service, YamlMappingNode Definition)> Services() =>
        LoadServices().Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    [Fact]
    public void Compose_file_defines_the_event_store_and_the_service()
    {
        var names = Services().Select(s => s.Service).ToList();
        Assert.Contains("eventstore", names);
        Assert.Contains("failover", names);
    }

    [Fact]
    public void Every_build_context_and_dockerfile_exists()
    {
        var builds = Services()
            .Where(s => s.Definition.Children.ContainsKey(new YamlScalarNode("build")))
            .Select(s => (YamlMappingNode)s.Definition.Children[new YamlScalarNode("build")])
            .ToList();
        Assert.NotEmpty(builds);
        foreach (var build in builds)
        {
            var context = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, Scalar(build, "context")));
            Assert.True(Directory.Exists(context), $"build context {context} does not exist");
            if (build.Children.ContainsKey(new YamlScalarNode("dockerfile")))
            {
                var dockerfile = Path.Combine(context, Scalar(build, "dockerfile"));
                Assert.True(File.Exists(dockerfile), $"dockerfile {dockerfile} does not exist");
            }
        }
    }

    [Fact]
    public void Every_bind_mounted_host_path_exists()
    {
        var mounts = Services()
            .Where(s => s.Definition.Children.ContainsKey(new YamlScalarNode("volumes")))
            .SelectMany(s => ((YamlSequenceNode)s.Definition.Children[new YamlScalarNode("volumes")]).Children)
            .Select(v => ((YamlScalarNode)v).Value!.Split(':')[0])
            .Where(source => source.StartsWith('.') || source.StartsWith('/'))
            .ToList();
        Assert.NotEmpty(mounts);
        foreach (var source in mounts)
        {
            var full = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, source));
            Assert.True(File.Exists(full) || Directory.Exists(full), $"mounted path {source} does not exist");
        }
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
