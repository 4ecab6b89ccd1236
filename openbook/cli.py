import click

@click.group()
def cli():
    """openbook"""
