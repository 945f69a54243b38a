using Failover.Testing;
using Microsoft.Extensions.Configuration;
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

    /// <summary>issue 18.3: PostgreSQL, two observers in different "data centers" sharing it, the simulator, Prometheus, Grafana.</summary>
    [Fact]
    public void Compose_file_defines_the_event_store_two_observers_the_simulator_prometheus_and_grafana()
    {
        Assert.Equal(
            ["eventstore", "failover-dc1", "failover-dc2", "grafana", "prometheus", "simulator"],
            Services().Select(s => s.Service).Order(StringComparer.Ordinal));
        var observers = new[] { "failover-dc1", "failover-dc2" }.Select(name => Environment(Services().Single(s => s.Service == name).Definition)).ToList();
        Assert.Equal(["obs-dc1", "obs-dc2"], observers.Select(e => e["Failover:ObserverId"]));
        Assert.Single(observers.Select(e => e["Failover:Store"]).Distinct());
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

    [Theory]
    [InlineData("failover-dc1")]
    [InlineData("failover-dc2")]
    public void The_service_runs_failover_run_with_a_configuration_whose_only_problems_are_the_placeholders_left_to_fill(string name)
    {
        var service = Services().Single(s => s.Service == name).Definition;
        var command = ((YamlSequenceNode)service.Children[new YamlScalarNode("command")]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var environment = Environment(service);
        var mounted = ((YamlSequenceNode)service.Children[new YamlScalarNode("volumes")]).Children.Select(v => ((YamlScalarNode)v).Value!.Split(':'))
            .Single(parts => parts[1] == command[command.IndexOf("--config") + 1])[0];
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(Path.Combine(RepositoryRoot.Path, mounted)))
            .AddInMemoryCollection(environment)
            .Build();

        var loaded = Failover.Service.Configuration.FailoverSettingsLoader.Load(configuration);

        Assert.Equal("run", command[0]);
        Assert.DoesNotContain(loaded.Problems, p => p.Contains("not a setting", StringComparison.Ordinal));
        Assert.All(loaded.Problems, p => Assert.Matches("SigningKey|FinalizerKey|KeyFile|TokenFile", p));
        Assert.Contains(loaded.Problems, p => p.Contains("DataCenters:0:SigningKey", StringComparison.Ordinal));
    }

    /// <summary>A service's environment as configuration keys (<c>Failover__Store</c> → <c>Failover:Store</c>).</summary>
    private static Dictionary<string, string?> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service.Children[new YamlScalarNode("environment")]).Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!.Replace("__", ":", StringComparison.Ordinal), kv => ((YamlScalarNode)kv.Value).Value);

    private static string Scalar(YamlMappingNode node, string key) =>
        ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
