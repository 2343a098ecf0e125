from asa.lib.thai import thai_digits_preferred


def display(request):
    return {"thai_digits": thai_digits_preferred.get()}
