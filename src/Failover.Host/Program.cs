using Failover.Host.Commands;

return await FailoverCli.RunAsync(args, new CliConsole(Console.In, Console.Out, Console.Error)).ConfigureAwait(false);
